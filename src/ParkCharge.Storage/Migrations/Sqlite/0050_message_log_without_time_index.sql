-- Nothing reads the message log by time (the API pages a charger's frames by id, message_log_by_charger):
-- the index only cost a b-tree write per frame, two per CALL.
DROP INDEX IF EXISTS message_log_by_time;
