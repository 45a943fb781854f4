-- The supervisor's floor: the agents' presence changes (and a supervisor's actions on an
-- agent) as rows, so today's figures (wrap-up time, who set whom away) are folded from stored
-- facts and survive a restart. Times are unix milliseconds.

CREATE TABLE agent_log (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id TEXT NOT NULL,
    at       BIGINT NOT NULL,
    kind     TEXT NOT NULL,                   -- the event's name (presence-changed, supervised)
    text     TEXT NOT NULL,                   -- as a person reads it
    event    TEXT NOT NULL                    -- the whole event, JSON
);
CREATE INDEX agent_log_by_at ON agent_log (at);
CREATE INDEX timeline_by_at ON timeline (at);
