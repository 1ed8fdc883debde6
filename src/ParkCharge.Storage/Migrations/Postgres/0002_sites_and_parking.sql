-- Sites (topology), sightings, parking sessions, bay visits, parking anomalies, the audit log of
-- operator actions, and camera images (kept only where a site enables it).

CREATE TABLE sites (
    id             TEXT    NOT NULL PRIMARY KEY,
    name           TEXT    NOT NULL,
    time_zone      TEXT    NOT NULL,
    currency       TEXT    NOT NULL,
    configuration  JSONB   NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    updated_seq    BIGINT  NOT NULL
);

CREATE TABLE sightings (
    id                  TEXT    NOT NULL PRIMARY KEY,
    site_id             TEXT    NOT NULL,
    camera              TEXT    NOT NULL,
    place               TEXT    NOT NULL,
    lane                TEXT,
    bay                 TEXT,
    plate               TEXT    NOT NULL,
    plate_raw           TEXT    NOT NULL,
    best_confidence     DOUBLE PRECISION,
    direction           TEXT,
    region              TEXT,
    first_seen_at       TIMESTAMPTZ NOT NULL,
    last_seen_at        TIMESTAMPTZ NOT NULL,
    read_count          INTEGER NOT NULL,
    reads               JSONB   NOT NULL,
    acted               BOOLEAN NOT NULL,
    parking_session_id  TEXT,
    bay_visit_id        TEXT,
    updated_seq         BIGINT  NOT NULL
);
CREATE INDEX sightings_by_session ON sightings (parking_session_id);
CREATE INDEX sightings_by_camera ON sightings (site_id, camera, first_seen_at);

CREATE TABLE parking_sessions (
    id                  TEXT    NOT NULL PRIMARY KEY,
    site_id             TEXT    NOT NULL,
    plate               TEXT    NOT NULL,
    plate_raw           TEXT    NOT NULL,
    region              TEXT,
    status              TEXT    NOT NULL,
    entered_at          TIMESTAMPTZ,
    exited_at           TIMESTAMPTZ,
    closed_by           TEXT,
    entry_sighting_id   TEXT,
    exit_sighting_id    TEXT,
    entry_lane          TEXT,
    exit_lane           TEXT,
    anomalies           TEXT    NOT NULL,
    merged_session_ids  JSONB   NOT NULL,
    sort_at             TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    updated_seq         BIGINT  NOT NULL
);
CREATE INDEX parking_sessions_by_plate ON parking_sessions (plate);
CREATE INDEX parking_sessions_by_site ON parking_sessions (site_id, sort_at);
CREATE INDEX parking_sessions_by_time ON parking_sessions (sort_at);

CREATE TABLE bay_visits (
    id                  TEXT    NOT NULL PRIMARY KEY,
    site_id             TEXT    NOT NULL,
    bay                 TEXT    NOT NULL,
    plate               TEXT    NOT NULL,
    plate_raw           TEXT    NOT NULL,
    parking_session_id  TEXT,
    started_at          TIMESTAMPTZ NOT NULL,
    last_seen_at        TIMESTAMPTZ NOT NULL,
    ended_at            TIMESTAMPTZ,
    end_reason          TEXT,
    sighting_id         TEXT    NOT NULL,
    updated_seq         BIGINT  NOT NULL
);
CREATE INDEX bay_visits_by_session ON bay_visits (parking_session_id);
CREATE INDEX bay_visits_by_bay ON bay_visits (site_id, bay, started_at);

CREATE TABLE parking_anomalies (
    id                  TEXT    NOT NULL PRIMARY KEY,
    site_id             TEXT    NOT NULL,
    kind                TEXT    NOT NULL,
    at                  TIMESTAMPTZ NOT NULL,
    plate               TEXT,
    camera              TEXT,
    sighting_id         TEXT,
    parking_session_id  TEXT,
    candidates          JSONB   NOT NULL,
    detail              TEXT    NOT NULL,
    resolved            BOOLEAN NOT NULL,
    resolution          TEXT,
    updated_seq         BIGINT  NOT NULL
);
CREATE INDEX parking_anomalies_by_site ON parking_anomalies (site_id, resolved, at);

CREATE TABLE audit_log (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id   TEXT    NOT NULL,
    seq       BIGINT  NOT NULL,
    at        TIMESTAMPTZ NOT NULL,
    by_whom   TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    target    TEXT    NOT NULL,
    reason    TEXT    NOT NULL,
    detail    TEXT    NOT NULL
);
CREATE INDEX audit_log_by_target ON audit_log (target);

CREATE TABLE anpr_images (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id          TEXT    NOT NULL,
    camera           TEXT    NOT NULL,
    observation_key  TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    content_type     TEXT    NOT NULL,
    content          BYTEA   NOT NULL,
    received_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX anpr_images_by_key ON anpr_images (observation_key);
