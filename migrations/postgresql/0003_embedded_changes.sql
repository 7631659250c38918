-- A write costs what it changes: renaming an actor or retitling a source gives no new version
-- to the records that show the name. This log says which actors, sources and events (whose
-- quotes they show) changed what other records embed, so that every instance drops just the
-- kept bodies that embed them, whichever instance wrote. As on SQLite (0006_change_logs).
--
-- Its positions are handed out with the revisions' (feed_head's row lock, held to the commit),
-- so they follow commit order too: a reader at position p never misses a change before p that
-- commits later. Old entries are pruned; `horizon` is the last position pruned, so a reader
-- further behind knows to drop everything.
ALTER TABLE feed_head ADD COLUMN embedded_position bigint NOT NULL DEFAULT 0;

CREATE TABLE embedded_changes (
    seq       bigint PRIMARY KEY,
    record_id text COLLATE "C" NOT NULL
);
CREATE TABLE embedded_changes_horizon (
    id      integer PRIMARY KEY CHECK (id = 1),
    horizon bigint NOT NULL
);
INSERT INTO embedded_changes_horizon (id, horizon) VALUES (1, 0);

-- What a write transaction changed that others embed, emptied into embedded_changes before it
-- commits (rows never outlive their transaction).
CREATE UNLOGGED TABLE embedded_change_queue (
    seq       bigserial PRIMARY KEY,
    record_id text NOT NULL
);
