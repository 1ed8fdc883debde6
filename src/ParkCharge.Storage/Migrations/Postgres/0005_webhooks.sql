-- Webhook subscriptions and their delivery state. The events table is the outbox; a subscription
-- keeps, per site, the sequence number of the last event it has delivered (its cursor), so a node
-- that restarts (or another node that takes over) continues exactly where delivery stopped.

CREATE TABLE webhook_subscriptions (
    id               TEXT    NOT NULL PRIMARY KEY,
    url              TEXT    NOT NULL,
    description      TEXT,
    event_types      JSONB   NOT NULL,   -- JSON array of type patterns: "charging.started", "charging.*", "*"
    site_ids         JSONB   NOT NULL,   -- JSON array; empty: every site
    secret           TEXT    NOT NULL,   -- encrypted (ASP.NET data protection), never the plain secret
    status           TEXT    NOT NULL,   -- Active, Paused, Dead
    attempts         INTEGER NOT NULL,   -- failed attempts at the event delivery is blocked on
    next_attempt_at  TIMESTAMPTZ,
    last_error       TEXT,
    dead_at          TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    lease_owner      TEXT,               -- the node delivering it (one at a time keeps the order)
    lease_until      TIMESTAMPTZ
);

CREATE TABLE webhook_cursors (
    subscription_id  TEXT    NOT NULL,
    site_id          TEXT    NOT NULL,
    delivered_seq    BIGINT  NOT NULL,
    PRIMARY KEY (subscription_id, site_id)
);

CREATE TABLE webhook_replays (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id  TEXT    NOT NULL,
    site_id          TEXT    NOT NULL,
    from_seq         BIGINT  NOT NULL,
    to_seq           BIGINT  NOT NULL,
    next_seq         BIGINT  NOT NULL,
    requested_at     TIMESTAMPTZ NOT NULL,
    requested_by     TEXT    NOT NULL,
    completed_at     TIMESTAMPTZ
);
CREATE INDEX webhook_replays_pending ON webhook_replays (subscription_id, completed_at, id);

CREATE TABLE webhook_deliveries (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id  TEXT    NOT NULL,
    site_id          TEXT    NOT NULL,
    seq              BIGINT  NOT NULL,
    event_id         TEXT    NOT NULL,
    event_type       TEXT    NOT NULL,
    kind             TEXT    NOT NULL,   -- live, replay
    attempt          INTEGER NOT NULL,
    at               TIMESTAMPTZ NOT NULL,
    status_code      INTEGER,
    duration_ms      BIGINT  NOT NULL,
    outcome          TEXT    NOT NULL,   -- Delivered, Failed, Dead
    error            TEXT
);
CREATE INDEX webhook_deliveries_by_subscription ON webhook_deliveries (subscription_id, id);
CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries (at);
