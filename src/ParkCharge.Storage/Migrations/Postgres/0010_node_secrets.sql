-- Secrets this node (and every node sharing the store) generates once and keeps: the key for the HMAC
-- that camera and API keys are stored under. Kept apart from the log, which is exported and replayed.
CREATE TABLE node_secrets (
    name        TEXT NOT NULL PRIMARY KEY,
    value       TEXT NOT NULL,   -- base64
    created_at  TEXT NOT NULL
);
