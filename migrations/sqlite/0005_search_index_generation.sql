-- A number that every change to search_index moves on, in the same transaction: searches keep
-- each phrase's matches between requests and know from it, in their own read snapshot, whether
-- what they kept is still what the index holds (from any process that writes the file).
CREATE TABLE search_index_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO search_index_generation (id, value) VALUES (1, 0);
