-- Security events the chargers report (SecurityEventNotification), one row per event, written from the
-- charger.security_event events in the same transaction as the log. id is that event's id.

CREATE TABLE charger_security_events (
    id            TEXT    NOT NULL PRIMARY KEY,
    site_id       TEXT    NOT NULL,
    charger_id    TEXT    NOT NULL,
    type          TEXT    NOT NULL,
    occurred_at   TEXT    NOT NULL,
    tech_info     TEXT,
    received_at   TEXT    NOT NULL,
    seq           INTEGER NOT NULL
);
CREATE INDEX charger_security_events_by_charger ON charger_security_events (charger_id, received_at);
CREATE INDEX charger_security_events_by_site ON charger_security_events (site_id, received_at);
