-- Commands to chargers (remote start and stop, charging limits, unlock, reset, availability), from
-- the API and from the sites' automation rules, with their outcomes. The document is the command as
-- the engine keeps it; the columns are what lists filter and sort on.

CREATE TABLE commands (
    id                   TEXT    NOT NULL PRIMARY KEY,
    site_id              TEXT    NOT NULL,
    charger_id           TEXT    NOT NULL,
    type                 TEXT    NOT NULL,
    status               TEXT    NOT NULL,
    origin               TEXT    NOT NULL,
    requested_at         TIMESTAMPTZ NOT NULL,
    completed_at         TIMESTAMPTZ,
    charging_session_id  TEXT,
    request_seq          BIGINT NOT NULL,
    document             JSONB NOT NULL,
    updated_seq          BIGINT NOT NULL
);
CREATE INDEX commands_by_site ON commands (site_id, requested_at);
CREATE INDEX commands_by_charger ON commands (charger_id, requested_at);
CREATE INDEX commands_by_session ON commands (charging_session_id);
