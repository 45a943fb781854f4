-- Webhooks refused for their signature, as logged (at most once a minute per cause), so that
-- `warm-transfer twilio check` can report them. No signature, no secret: the URL verified
-- against and the fix. Times are unix milliseconds.

CREATE TABLE webhook_refusals (
    id               BIGSERIAL PRIMARY KEY,
    at               BIGINT NOT NULL,
    cause            TEXT NOT NULL,           -- missing | public-base-url | no-match
    path             TEXT NOT NULL,
    verified_against TEXT NOT NULL,
    fix              TEXT NOT NULL
);
CREATE INDEX webhook_refusals_by_at ON webhook_refusals (at);
