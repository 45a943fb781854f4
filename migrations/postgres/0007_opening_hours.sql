-- Opening hours: one row, edited by supervisors (on the floor and with the CLI). `version`
-- guards against two editors overwriting each other: a change names the version it was made
-- from, and is refused when the row has moved on since.
CREATE TABLE opening_hours (
    id            BIGINT PRIMARY KEY,         -- always 1
    schedule      TEXT,                       -- the schedule's text; NULL: always open
    closed_reason TEXT,                       -- the "closed now" switch: on when not NULL
    closed_by     TEXT,
    closed_since  BIGINT,
    version       BIGINT NOT NULL,
    changed_by    TEXT,
    changed_at    BIGINT NOT NULL
);
INSERT INTO opening_hours (id, version, changed_at) VALUES (1, 0, 0);
