-- Settled bills (with their adjustments) and payments. A bill row holds the bill as it stands now
-- (the original plus every adjustment); the document keeps the original, each adjustment and its lines.

CREATE TABLE bills (
    parking_session_id  TEXT    NOT NULL PRIMARY KEY,
    id                  TEXT    NOT NULL UNIQUE,
    site_id             TEXT    NOT NULL,
    plate               TEXT    NOT NULL,
    currency            TEXT    NOT NULL,
    settled_at          TIMESTAMPTZ NOT NULL,
    local_day           TEXT    NOT NULL,
    parking             NUMERIC NOT NULL,
    charging            NUMERIC NOT NULL,
    idle                NUMERIC NOT NULL,
    total_excl_vat      NUMERIC NOT NULL,
    total_vat           NUMERIC NOT NULL,
    total               NUMERIC NOT NULL,
    original_total      NUMERIC NOT NULL,
    adjustments         INTEGER NOT NULL,
    document            JSONB NOT NULL,
    updated_seq         INTEGER NOT NULL
);
CREATE INDEX bills_by_day ON bills (site_id, local_day);

CREATE TABLE payments (
    id                  TEXT    NOT NULL PRIMARY KEY,
    site_id             TEXT    NOT NULL,
    parking_session_id  TEXT    NOT NULL,
    amount              NUMERIC NOT NULL,
    currency            TEXT    NOT NULL,
    method              TEXT    NOT NULL,
    reference           TEXT,
    at                  TIMESTAMPTZ NOT NULL,
    recorded_by         TEXT    NOT NULL,
    seq                 INTEGER NOT NULL
);
CREATE INDEX payments_by_session ON payments (parking_session_id);
CREATE INDEX payments_by_time ON payments (site_id, at);
