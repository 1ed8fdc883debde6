-- Settled bills (with their adjustments) and payments. A bill row holds the bill as it stands now
-- (the original plus every adjustment); the document keeps the original, each adjustment and its lines.

CREATE TABLE bills (
    parking_session_id  TEXT    NOT NULL PRIMARY KEY,
    id                  TEXT    NOT NULL UNIQUE,
    site_id             TEXT    NOT NULL,
    plate               TEXT    NOT NULL,
    currency            TEXT    NOT NULL,
    settled_at          TEXT NOT NULL,
    local_day           TEXT    NOT NULL,
    parking             TEXT NOT NULL,
    charging            TEXT NOT NULL,
    idle                TEXT NOT NULL,
    total_excl_vat      TEXT NOT NULL,
    total_vat           TEXT NOT NULL,
    total               TEXT NOT NULL,
    original_total      TEXT NOT NULL,
    adjustments         INTEGER NOT NULL,
    document            TEXT NOT NULL,
    updated_seq         INTEGER NOT NULL
);
CREATE INDEX bills_by_day ON bills (site_id, local_day);

CREATE TABLE payments (
    id                  TEXT    NOT NULL PRIMARY KEY,
    site_id             TEXT    NOT NULL,
    parking_session_id  TEXT    NOT NULL,
    amount              TEXT NOT NULL,
    currency            TEXT    NOT NULL,
    method              TEXT    NOT NULL,
    reference           TEXT,
    at                  TEXT NOT NULL,
    recorded_by         TEXT    NOT NULL,
    seq                 INTEGER NOT NULL
);
CREATE INDEX payments_by_session ON payments (parking_session_id);
CREATE INDEX payments_by_time ON payments (site_id, at);
