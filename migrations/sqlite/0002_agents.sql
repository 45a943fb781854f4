-- Agent accounts, their sign-in sessions, and failed sign-ins (for rate limiting).

CREATE TABLE agents (
    identity      TEXT PRIMARY KEY,           -- the Voice client identity
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,              -- argon2id, PHC string
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,              -- SHA-256 of the cookie value: a leaked table signs no one in
    identity   TEXT NOT NULL REFERENCES agents(identity) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_identity ON sessions (identity);

CREATE TABLE sign_in_failures (
    identity  TEXT NOT NULL,
    failed_at BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_by_identity ON sign_in_failures (identity, failed_at);
