-- Settlements the payment terminals on OCPP 2.1 chargers report (NotifySettlement), one row per
-- payment.settlement_received event, written in the same transaction as the log. id is that event's id.
-- outcome: recorded, duplicate, unmatched, not_settled, refused (docs/events.md). The daily report lists the
-- unmatched ones: money a charger took that is on no stay's bill.

CREATE TABLE charger_settlements (
    id                  TEXT    NOT NULL PRIMARY KEY,
    site_id             TEXT    NOT NULL,
    charger_id          TEXT    NOT NULL,
    transaction_id      TEXT,
    psp_reference       TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    amount              NUMERIC NOT NULL,
    currency            TEXT    NOT NULL,
    settled_at          TIMESTAMPTZ NOT NULL,
    outcome             TEXT    NOT NULL,
    reason              TEXT,
    parking_session_id  TEXT,
    payment_id          TEXT,
    received_at         TIMESTAMPTZ NOT NULL,
    seq                 BIGINT NOT NULL
);
CREATE INDEX charger_settlements_by_site ON charger_settlements (site_id, received_at);
