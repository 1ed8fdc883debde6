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

-- Access and erasure requests, for the audit: who asked, when, what was done. The plate itself is not
-- kept (that would undo the erasure): only its keyed hash under the node's secret, so that a later
-- question "did we answer a request about this plate?" can still be checked.
CREATE TABLE privacy_requests (
    id            BIGSERIAL PRIMARY KEY,
    at            TIMESTAMPTZ NOT NULL,
    kind          TEXT NOT NULL,   -- access, erasure
    plate_hash    TEXT NOT NULL,
    key_id        TEXT,
    key_name      TEXT,
    outcome       TEXT NOT NULL    -- what was found or done, without the plate
);
