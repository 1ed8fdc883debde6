-- Proxy mode: the backends a charger is proxied to (its "upstreams"), in the order they were declared.
-- settings: the upstream without its secrets (JSON); protected_secrets: its password and certificate
-- password, encrypted with ASP.NET data protection by the node (nodes sharing a database share the keys).
-- Not site data: like API keys and charger certificates it lives beside the log.

CREATE TABLE charger_upstreams (
    charger_id         TEXT    NOT NULL,
    name               TEXT    NOT NULL,
    position           INTEGER NOT NULL,
    settings           TEXT    NOT NULL,
    protected_secrets  TEXT,
    updated_at         TEXT NOT NULL,
    PRIMARY KEY (charger_id, name)
);
