-- Privacy (issue 20): the per-site secrets of the keyed hash that makes pseudonyms (destroyed when
-- their period ends), and one row per stay (or loose read) pseudonymised, written before its rows
-- are rewritten, so that a pass cut short resumes with the same pseudonym.
CREATE TABLE pseudonym_keys (
    site_id     TEXT NOT NULL,
    id          TEXT NOT NULL,
    secret      TEXT NOT NULL,   -- base64
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (site_id, id)
);

CREATE TABLE pseudonymisations (
    site_id       TEXT NOT NULL,
    unit_id       TEXT NOT NULL,   -- the parking session, bay visit or sighting
    pseudonym     TEXT NOT NULL,
    key_id        TEXT NOT NULL,
    reason        TEXT NOT NULL,   -- retention, erasure
    started_at    TIMESTAMPTZ NOT NULL,
    completed_at  TIMESTAMPTZ,
    PRIMARY KEY (site_id, unit_id)
);
