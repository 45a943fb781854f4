-- Twilio creates the calls an account asks for at the account's pace (1 per second unless
-- raised). Calls to create (dials, supervisors' phones) carry their urgency (0: the effect
-- creates no call and is never paced), and one row holds when the account may create the next
-- call: every instance takes its turn from it, so three instances together keep one pace.
ALTER TABLE effects ADD COLUMN urgency INTEGER NOT NULL DEFAULT 0;
CREATE INDEX effects_paced ON effects (status, urgency);
CREATE TABLE call_pacing (
    id INTEGER PRIMARY KEY,
    next_at BIGINT NOT NULL
);
INSERT INTO call_pacing (id, next_at) VALUES (1, 0);
