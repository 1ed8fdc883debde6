-- Idempotency-Key of API writes: the request a key was first used for (API key, method, route, target and
-- a fingerprint of the body) and, once carried out, the answer it got. Kept 24 hours.
CREATE TABLE idempotency_keys (
    api_key_id       TEXT        NOT NULL,
    idempotency_key  TEXT        NOT NULL,
    method           TEXT        NOT NULL,
    route            TEXT        NOT NULL,
    target           TEXT        NOT NULL,
    fingerprint      TEXT        NOT NULL,   -- SHA-256 of the body, hex
    created_at       TEXT        NOT NULL,
    completed_at     TEXT,                   -- NULL while the first request is being carried out
    status           INTEGER,
    content_type     TEXT,
    location         TEXT,
    body             BLOB,
    PRIMARY KEY (api_key_id, idempotency_key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
