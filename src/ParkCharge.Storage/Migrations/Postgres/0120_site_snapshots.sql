-- Snapshots of a site engine's state (docs/operators.md, "Snapshots and compaction"): the state after the
-- observation `seq`, written every so many observations so that start-up replays only the log after it.
-- `state` is gzip-compressed JSON; `engine` the engine build that made it (a snapshot is exact only for its own).
CREATE TABLE site_snapshots (
    site_id      TEXT    NOT NULL,
    seq          BIGINT  NOT NULL,   -- the last observation the state has taken
    event_seq    BIGINT  NOT NULL,   -- the last derived event by then
    format       INTEGER NOT NULL,
    engine       TEXT    NOT NULL,
    log_time     TIMESTAMPTZ    NOT NULL,   -- received_at of observation `seq`
    taken_at     TIMESTAMPTZ    NOT NULL,
    state        BYTEA    NOT NULL,
    PRIMARY KEY (site_id, seq)
);

-- Where a site's log begins once it has been compacted: the observations up to `base_seq` are deleted and the
-- snapshot at `base_seq` is the state the log starts from (start-up and `replay` begin there).
CREATE TABLE log_bases (
    site_id       TEXT    NOT NULL PRIMARY KEY,
    base_seq      BIGINT  NOT NULL,
    base_event_seq BIGINT  NOT NULL,
    log_time      TIMESTAMPTZ    NOT NULL,
    compacted_at  TIMESTAMPTZ    NOT NULL,
    observations_deleted BIGINT NOT NULL
);
