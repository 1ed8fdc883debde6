-- The message log in a SQLite file of its own (message-log.db beside parkcharge.db), written by a writer of its
-- own: the frames decide nothing, so they need not share the log's transactions. The same table as it was in
-- parkcharge.db (0001, without message_log_by_time since 0050); its rows are moved here once (SqliteMessageLog).
CREATE TABLE IF NOT EXISTS message_log (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    charger_id     TEXT    NOT NULL,
    connection_id  TEXT,
    direction      TEXT    NOT NULL,
    at             TEXT    NOT NULL,
    message_type   INTEGER,
    message_id     TEXT,
    action         TEXT,
    error_code     TEXT,
    frame          TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS message_log_by_charger ON message_log (charger_id, id);
