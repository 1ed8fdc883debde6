-- Security profile 3 (TLS client certificates). charger_cas: the CA ParkCharge holds for a site's
-- chargers, its private key encrypted with ASP.NET data protection (nodes sharing a database share the
-- data-protection keys). charger_certificates: every charger certificate ParkCharge issued or saw
-- presented at a handshake, keyed by its SHA-256 thumbprint.

CREATE TABLE charger_cas (
    site_id        TEXT    NOT NULL PRIMARY KEY,
    certificate    TEXT    NOT NULL,
    protected_key  TEXT    NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE charger_certificates (
    thumbprint           TEXT    NOT NULL PRIMARY KEY,
    charger_id           TEXT    NOT NULL,
    site_id              TEXT    NOT NULL,
    serial_number        TEXT    NOT NULL,
    subject              TEXT    NOT NULL,
    issuer               TEXT    NOT NULL,
    not_before           TIMESTAMPTZ NOT NULL,
    not_after            TIMESTAMPTZ NOT NULL,
    certificate          TEXT    NOT NULL,
    issued_at            TIMESTAMPTZ,
    delivery             TEXT,
    delivered_at         TIMESTAMPTZ,
    first_presented_at   TIMESTAMPTZ,
    last_presented_at    TIMESTAMPTZ
);
CREATE INDEX charger_certificates_by_charger ON charger_certificates (charger_id, not_after);
