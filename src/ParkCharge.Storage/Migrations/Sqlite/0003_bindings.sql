-- Bindings of charging sessions to vehicles, and what bay visits learnt from them (charging
-- sessions bound, ICE occupants, idle time).

CREATE TABLE charging_bindings (
    charging_session_id  TEXT    NOT NULL PRIMARY KEY,
    site_id              TEXT    NOT NULL,
    charger_id           TEXT    NOT NULL,
    evse_id              INTEGER NOT NULL,
    connector_id         INTEGER NOT NULL,
    transaction_id       TEXT    NOT NULL,
    bay                  TEXT,
    plug_in_at           TEXT    NOT NULL,
    status               TEXT    NOT NULL,
    wait_until           TEXT,
    plate                TEXT,
    parking_session_id   TEXT,
    bay_visit_id         TEXT,
    method               TEXT,
    confidence           REAL    NOT NULL,
    offset_ms            INTEGER,
    evidence             TEXT    NOT NULL,
    candidates           TEXT    NOT NULL,
    changes              INTEGER NOT NULL,
    decided_at           TEXT    NOT NULL,
    updated_seq          INTEGER NOT NULL
);
CREATE INDEX charging_bindings_by_parking ON charging_bindings (parking_session_id);
CREATE INDEX charging_bindings_by_status ON charging_bindings (site_id, status, plug_in_at);

ALTER TABLE bay_visits ADD COLUMN charging_session_ids TEXT NOT NULL DEFAULT '[]';
ALTER TABLE bay_visits ADD COLUMN ice_detected_at TEXT;
ALTER TABLE bay_visits ADD COLUMN charging_finished_at TEXT;
ALTER TABLE bay_visits ADD COLUMN idle_since TEXT;
