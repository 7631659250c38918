-- A write costs what it changes. Renaming an actor or retitling a source no longer gives every
-- record that shows the name a new version; instead this log says which actors and sources
-- changed what other records embed, in commit order, so that a server drops just the kept
-- bodies that embed them (whichever process wrote). Old entries are pruned; `horizon` is the
-- last position pruned, so a reader that has fallen further behind knows to drop everything.
CREATE TABLE embedded_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id TEXT NOT NULL
);
CREATE TABLE embedded_changes_horizon (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    horizon INTEGER NOT NULL
);
INSERT INTO embedded_changes_horizon (id, horizon) VALUES (1, 0);

-- Which search-index row each generation of the index changed, so that kept searches drop
-- only what a write can have touched. Pruned to the most recent entries the same way.
CREATE TABLE search_index_changes (
    generation INTEGER PRIMARY KEY,
    row INTEGER NOT NULL
);
