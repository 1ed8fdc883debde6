-- Sites (topology), sightings, parking sessions, bay visits, parking anomalies, the audit log of
-- operator actions, and camera images (kept only where a site enables it).

CREATE TABLE sites (
    id             TEXT    NOT NULL PRIMARY KEY,
    name           TEXT    NOT NULL,
    time_zone      TEXT    NOT NULL,
    currency       TEXT    NOT NULL,
    configuration  TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    updated_seq    INTEGER NOT NULL
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
    best_confidence     REAL,
    direction           TEXT,
    region              TEXT,
    first_seen_at       TEXT    NOT NULL,
    last_seen_at        TEXT    NOT NULL,
    read_count          INTEGER NOT NULL,
    reads               TEXT    NOT NULL,
    acted               INTEGER NOT NULL,
    parking_session_id  TEXT,
    bay_visit_id        TEXT,
    updated_seq         INTEGER NOT NULL
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
    entered_at          TEXT,
    exited_at           TEXT,
    closed_by           TEXT,
    entry_sighting_id   TEXT,
    exit_sighting_id    TEXT,
    entry_lane          TEXT,
    exit_lane           TEXT,
    anomalies           TEXT    NOT NULL,
    merged_session_ids  TEXT    NOT NULL,
    sort_at             TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL,
    updated_seq         INTEGER NOT NULL
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
    started_at          TEXT    NOT NULL,
    last_seen_at        TEXT    NOT NULL,
    ended_at            TEXT,
    end_reason          TEXT,
    sighting_id         TEXT    NOT NULL,
    updated_seq         INTEGER NOT NULL
);
CREATE INDEX bay_visits_by_session ON bay_visits (parking_session_id);
CREATE INDEX bay_visits_by_bay ON bay_visits (site_id, bay, started_at);

CREATE TABLE parking_anomalies (
    id                  TEXT    NOT NULL PRIMARY KEY,
    site_id             TEXT    NOT NULL,
    kind                TEXT    NOT NULL,
    at                  TEXT    NOT NULL,
    plate               TEXT,
    camera              TEXT,
    sighting_id         TEXT,
    parking_session_id  TEXT,
    candidates          TEXT    NOT NULL,
    detail              TEXT    NOT NULL,
    resolved            INTEGER NOT NULL,
    resolution          TEXT,
    updated_seq         INTEGER NOT NULL
);
CREATE INDEX parking_anomalies_by_site ON parking_anomalies (site_id, resolved, at);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id   TEXT    NOT NULL,
    seq       INTEGER NOT NULL,
    at        TEXT    NOT NULL,
    by_whom   TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    target    TEXT    NOT NULL,
    reason    TEXT    NOT NULL,
    detail    TEXT    NOT NULL
);
CREATE INDEX audit_log_by_target ON audit_log (target);

CREATE TABLE anpr_images (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id          TEXT    NOT NULL,
    camera           TEXT    NOT NULL,
    observation_key  TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    content_type     TEXT    NOT NULL,
    content          BLOB    NOT NULL,
    received_at      TEXT    NOT NULL
);
CREATE INDEX anpr_images_by_key ON anpr_images (observation_key);
