-- A charging session's row is rewritten by every message of its transaction (MeterValues, TransactionEvent
-- Updated, ...), and each index that names a column of that upsert's SET list is rewritten with it. The
-- three indexes ended in started_at, which the upsert sets: three b-tree writes per message. What reads them:
-- the session list filters by charger or by site and sorts by COALESCE(started_at, first_received_at), which
-- no index on started_at serves; the active sessions of a site filter by site. So: charger and site alone
-- (columns the upsert never sets), and nothing by start.
DROP INDEX IF EXISTS charging_sessions_by_start;
DROP INDEX IF EXISTS charging_sessions_by_charger;
DROP INDEX IF EXISTS charging_sessions_by_site;
CREATE INDEX charging_sessions_by_charger ON charging_sessions (charger_id);
CREATE INDEX charging_sessions_by_site ON charging_sessions (site_id);
