-- Proxy mode while a charger's primary backend is away: the charger's messages ParkCharge answered itself,
-- kept durably (appended before the charger got its answer) until the backend has them, in order (seq),
-- each with its payload exactly as the charger sent it (its own timestamps). local_transaction_id: the
-- OCPP 1.6 transaction id ParkCharge issued for a StartTransaction it answered.
CREATE TABLE upstream_queue (
    seq                   INTEGER PRIMARY KEY AUTOINCREMENT,
    charger_id            TEXT    NOT NULL,
    upstream              TEXT    NOT NULL,
    action                TEXT    NOT NULL,
    payload               TEXT    NOT NULL,
    local_transaction_id  INTEGER,
    queued_at             TEXT NOT NULL
);
CREATE INDEX upstream_queue_by_charger ON upstream_queue (charger_id, upstream, seq);

-- OCPP 1.6 transaction ids both ways: the id ParkCharge gave the charger while the backend was away, and
-- the id the backend issued when the StartTransaction reached it. Later messages to the backend carry its
-- id, the backend's commands reach the charger with the charger's.
CREATE TABLE upstream_transaction_ids (
    charger_id   TEXT    NOT NULL,
    upstream     TEXT    NOT NULL,
    local_id     INTEGER NOT NULL,
    backend_id   INTEGER NOT NULL,
    mapped_at    TEXT NOT NULL,
    PRIMARY KEY (charger_id, upstream, local_id)
);
CREATE INDEX upstream_transaction_ids_by_backend ON upstream_transaction_ids (charger_id, upstream, backend_id);

-- Id tokens a backend accepted (or refused since), learnt from its answers, by the backend's url: with the
-- upstream's offlineAuthorization 'learnt', ParkCharge accepts only these while the backend is away.
CREATE TABLE upstream_tokens (
    upstream_url  TEXT    NOT NULL,
    id_token      TEXT    NOT NULL,
    accepted      INTEGER NOT NULL,
    learnt_at     TEXT NOT NULL,
    PRIMARY KEY (upstream_url, id_token)
);
