-- Call records, conferences, agents on conferences, the dial outbox and every status callback.
-- Times are unix milliseconds (BIGINT) so SQLite and PostgreSQL store them alike.

CREATE TABLE calls (
    call_sid      TEXT PRIMARY KEY,
    leg           TEXT NOT NULL,              -- 'customer' | 'agent'
    from_number   TEXT NOT NULL,
    to_number     TEXT NOT NULL,
    status        TEXT NOT NULL,              -- Twilio's CallStatus
    conference_id TEXT,
    agent_id      TEXT,
    last_sequence BIGINT NOT NULL DEFAULT -1, -- highest SequenceNumber applied
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE conferences (
    id                TEXT PRIMARY KEY,       -- our name for it: the customer's CallSid
    customer_call_sid TEXT NOT NULL,
    conference_sid    TEXT,                   -- CF… once Twilio reports it
    status            TEXT NOT NULL,          -- 'waiting' | 'in-progress' | 'completed'
    last_sequence     BIGINT NOT NULL DEFAULT -1,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);

CREATE TABLE conference_agents (
    conference_id TEXT NOT NULL REFERENCES conferences(id),
    agent_id      TEXT NOT NULL,
    position      BIGINT NOT NULL,            -- 1 = the agent who took the call first
    call_sid      TEXT,                       -- the agent's leg, once dialled
    status        TEXT NOT NULL,              -- 'dialing' | Twilio's CallStatus | 'failed'
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (conference_id, agent_id)
);
CREATE INDEX conference_agents_by_agent ON conference_agents (agent_id, created_at);

-- Dials promised in the same transaction as the call record, performed by the dialer.
CREATE TABLE dial_outbox (
    id              BIGSERIAL PRIMARY KEY,
    conference_id   TEXT NOT NULL,
    agent_id        TEXT NOT NULL,
    status          TEXT NOT NULL,            -- 'pending' | 'sent' | 'failed'
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_until   BIGINT NOT NULL DEFAULT 0,
    call_sid        TEXT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (conference_id, agent_id)
);
CREATE INDEX dial_outbox_due ON dial_outbox (status, next_attempt_at);

CREATE TABLE status_callbacks (
    id              BIGSERIAL PRIMARY KEY,
    kind            TEXT NOT NULL,            -- 'call' | 'conference'
    call_sid        TEXT,
    conference_sid  TEXT,
    friendly_name   TEXT,
    event           TEXT NOT NULL,            -- CallStatus or StatusCallbackEvent
    sequence_number BIGINT,
    params          TEXT NOT NULL,            -- the whole form, as JSON
    received_at     BIGINT NOT NULL
);
CREATE INDEX status_callbacks_by_call ON status_callbacks (call_sid);
