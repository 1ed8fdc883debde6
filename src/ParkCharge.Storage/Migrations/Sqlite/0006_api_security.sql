-- Security of the integration API: per-key IP allow-lists and expiry, who created a key, and the
-- audit log of state-changing API calls. (api_keys.last_used_at exists since 0001.)

-- Comma-separated CIDR ranges (a single address is stored as /32 or /128); NULL: any address.
ALTER TABLE api_keys ADD COLUMN allowed_addresses TEXT;
ALTER TABLE api_keys ADD COLUMN expires_at TEXT;
ALTER TABLE api_keys ADD COLUMN created_by TEXT;

-- One row per state-changing call under /api/v1 by an authenticated key (camera pushes are in the
-- site log instead). Request bodies are never stored: they may carry passwords and keys.
CREATE TABLE api_audit (
    id               INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    at               TEXT    NOT NULL,
    key_id           TEXT,
    key_name         TEXT,
    role             TEXT,
    method           TEXT    NOT NULL,
    path             TEXT    NOT NULL,
    status           INTEGER NOT NULL,
    client_ip        TEXT,
    idempotency_key  TEXT
);
CREATE INDEX api_audit_by_key ON api_audit (key_id, id);
