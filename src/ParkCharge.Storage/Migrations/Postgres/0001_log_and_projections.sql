-- The durable log (observations and derived events, per site, with sequence numbers),
-- the projections written in the same transaction, and the per-charger message log.
-- Instants are TIMESTAMPTZ, decimals NUMERIC, payloads JSONB.

CREATE TABLE observations (
    site_id      TEXT    NOT NULL,
    seq          BIGINT  NOT NULL,
    key          TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    event_time   TIMESTAMPTZ NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL,
    payload      JSONB   NOT NULL,
    reply        JSONB   NOT NULL,
    PRIMARY KEY (site_id, seq),
    UNIQUE (site_id, key)
);

CREATE TABLE events (
    site_id          TEXT    NOT NULL,
    seq              BIGINT  NOT NULL,
    id               TEXT    NOT NULL UNIQUE,
    observation_seq  BIGINT  NOT NULL,
    type             TEXT    NOT NULL,
    event_time       TIMESTAMPTZ NOT NULL,
    recorded_at      TIMESTAMPTZ NOT NULL,
    payload          JSONB   NOT NULL,
    PRIMARY KEY (site_id, seq)
);

CREATE TABLE chargers (
    id                      TEXT    NOT NULL PRIMARY KEY,
    site_id                 TEXT    NOT NULL,
    display_name            TEXT,
    password_hash           TEXT,
    security_profile        INTEGER NOT NULL,
    registered_at           TIMESTAMPTZ NOT NULL,
    vendor                  TEXT,
    model                   TEXT,
    serial_number           TEXT,
    firmware_version        TEXT,
    last_boot_at            TIMESTAMPTZ,
    ocpp_version            TEXT,
    connection_id           TEXT,
    connected_node          TEXT,
    connected_at            TIMESTAMPTZ,
    remote_address          TEXT,
    last_disconnected_at    TIMESTAMPTZ,
    last_disconnect_reason  TEXT,
    last_seen_at            TIMESTAMPTZ,
    updated_seq             BIGINT  NOT NULL
);
CREATE INDEX chargers_by_site ON chargers (site_id, id);

-- evse_id is -1 for OCPP 1.6 connectors (which have no EVSE), so that it can be part of the key.
CREATE TABLE connectors (
    charger_id         TEXT    NOT NULL,
    evse_id            INTEGER NOT NULL,
    connector_id       INTEGER NOT NULL,
    status             TEXT    NOT NULL,
    since              TIMESTAMPTZ NOT NULL,
    error_code         TEXT,
    info               TEXT,
    vendor_error_code  TEXT,
    PRIMARY KEY (charger_id, evse_id, connector_id)
);

CREATE TABLE connector_status_history (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id            TEXT    NOT NULL,
    charger_id         TEXT    NOT NULL,
    evse_id            INTEGER NOT NULL,
    connector_id       INTEGER NOT NULL,
    status             TEXT    NOT NULL,
    charging_state     TEXT,
    error_code         TEXT,
    info               TEXT,
    vendor_error_code  TEXT,
    event_time         TIMESTAMPTZ NOT NULL,
    received_at        TIMESTAMPTZ NOT NULL,
    seq                BIGINT  NOT NULL
);
CREATE INDEX connector_status_history_by_time ON connector_status_history (charger_id, event_time);

CREATE TABLE charging_sessions (
    id                 TEXT    NOT NULL PRIMARY KEY,
    site_id            TEXT    NOT NULL,
    charger_id         TEXT    NOT NULL,
    ocpp_version       TEXT    NOT NULL,
    transaction_id     TEXT    NOT NULL,
    evse_id            INTEGER NOT NULL,
    connector_id       INTEGER NOT NULL,
    status             TEXT    NOT NULL,
    id_token           TEXT,
    id_token_type      TEXT,
    started_at         TIMESTAMPTZ,
    stopped_at         TIMESTAMPTZ,
    stop_reason        TEXT,
    meter_start_wh     NUMERIC,
    meter_stop_wh      NUMERIC,
    energy_wh          NUMERIC,
    energy_method      TEXT    NOT NULL,
    charging_state     TEXT,
    remote_start_id    INTEGER,
    last_power_w       NUMERIC,
    last_soc_percent   NUMERIC,
    anomalies          TEXT    NOT NULL,
    missing_seq_nos    TEXT    NOT NULL,
    first_received_at  TIMESTAMPTZ NOT NULL,
    last_received_at   TIMESTAMPTZ NOT NULL,
    last_event_at      TIMESTAMPTZ,
    updated_seq        BIGINT  NOT NULL
);
CREATE INDEX charging_sessions_by_charger ON charging_sessions (charger_id, started_at);
CREATE INDEX charging_sessions_by_site ON charging_sessions (site_id, started_at);
CREATE INDEX charging_sessions_by_start ON charging_sessions (started_at);

CREATE TABLE meter_samples (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id  TEXT    NOT NULL,
    timestamp   TIMESTAMPTZ NOT NULL,
    measurand   TEXT    NOT NULL,
    value       NUMERIC NOT NULL,
    unit        TEXT    NOT NULL,
    phase       TEXT,
    location    TEXT,
    context     TEXT,
    seq         BIGINT  NOT NULL
);
CREATE INDEX meter_samples_by_session ON meter_samples (session_id, timestamp);

CREATE TABLE message_log (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    charger_id     TEXT    NOT NULL,
    connection_id  TEXT,
    direction      TEXT    NOT NULL,
    at             TIMESTAMPTZ NOT NULL,
    message_type   INTEGER,
    message_id     TEXT,
    action         TEXT,
    error_code     TEXT,
    frame          TEXT    NOT NULL
);
CREATE INDEX message_log_by_charger ON message_log (charger_id, id);
CREATE INDEX message_log_by_time ON message_log (at);

CREATE TABLE api_keys (
    id            TEXT NOT NULL PRIMARY KEY,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    key_hash      TEXT NOT NULL UNIQUE,
    created_at    TIMESTAMPTZ NOT NULL,
    revoked_at    TIMESTAMPTZ,
    last_used_at  TIMESTAMPTZ
);
