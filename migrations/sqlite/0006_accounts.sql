-- Agents managed on the web: an account can be disabled (signing in is refused, its sessions
-- end), and every change a supervisor makes to accounts is a row of the audit log naming them.

ALTER TABLE agents ADD COLUMN disabled BIGINT NOT NULL DEFAULT 0;

CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      BIGINT NOT NULL,
    actor   TEXT NOT NULL,                    -- the supervisor's identity
    action  TEXT NOT NULL,                    -- add | reset-password | disable | enable | remove
    subject TEXT NOT NULL,                    -- the account's identity
    text    TEXT NOT NULL                     -- as a person reads it
);
CREATE INDEX audit_log_by_at ON audit_log (at);
