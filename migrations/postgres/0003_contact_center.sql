-- The contact center (src/center): agents' presence, customer calls with their place in the
-- queue, the per-call timeline (append-only) and the effects outbox. Replaces the tutorial's
-- conference tables and its dial outbox. Times are unix milliseconds.

DROP TABLE dial_outbox;
DROP TABLE conference_agents;
DROP TABLE conferences;
DROP TABLE calls;

ALTER TABLE agents ADD COLUMN role TEXT NOT NULL DEFAULT 'agent';          -- 'agent' | 'supervisor'
ALTER TABLE agents ADD COLUMN presence TEXT NOT NULL DEFAULT '{"state":"offline"}'; -- the core's Presence, JSON
ALTER TABLE agents ADD COLUMN presence_since BIGINT NOT NULL DEFAULT 0;
ALTER TABLE agents ADD COLUMN online_until BIGINT;                          -- console lease

-- One row: bumped by every decision, so an instance whose copy of the state is older reloads
-- it before deciding (and two instances' decisions are serialised on this row).
CREATE TABLE center (
    id      BIGINT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO center (id, version) VALUES (1, 0);

CREATE TABLE customer_calls (
    call_sid    TEXT PRIMARY KEY,
    from_number TEXT NOT NULL,
    queued_at   BIGINT NOT NULL,
    live        BIGINT NOT NULL,              -- 1 until the call is over
    state       TEXT NOT NULL,                -- the core's Call, JSON, while live
    end_reason  TEXT,
    ended_at    BIGINT,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX customer_calls_live ON customer_calls (live);

CREATE TABLE timeline (
    id       BIGSERIAL PRIMARY KEY,
    call_sid TEXT NOT NULL,
    agent_id TEXT,
    at       BIGINT NOT NULL,
    kind     TEXT NOT NULL,                   -- the event's name (queued, offered, …)
    text     TEXT NOT NULL,                   -- as a person reads it
    event    TEXT NOT NULL                    -- the whole event, JSON
);
CREATE INDEX timeline_by_call ON timeline (call_sid, id);
CREATE INDEX timeline_by_agent ON timeline (agent_id, id);

-- What Twilio must be asked to do, written with the decision that needs it.
CREATE TABLE effects (
    id              BIGSERIAL PRIMARY KEY,
    kind            TEXT NOT NULL,            -- 'dial' | 'cancel-leg' | 'hang-up-caller'
    call_sid        TEXT NOT NULL,
    agent_id        TEXT,
    leg             BIGINT,
    payload         TEXT NOT NULL,            -- the core's Effect, JSON
    status          TEXT NOT NULL,            -- 'pending' | 'done' | 'failed' | 'skipped'
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_until   BIGINT NOT NULL DEFAULT 0,
    leg_sid         TEXT,                     -- the agent leg Twilio created (dials)
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX effects_due ON effects (status, next_attempt_at);
CREATE INDEX effects_by_leg ON effects (call_sid, agent_id, leg);
