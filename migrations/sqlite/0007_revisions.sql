-- Every create, update and delete of an actor, event, quote or source, kept for good: a
-- record's history, and all of it in commit order as the change feed. `position` is the feed's
-- order: SQLite has one writer at a time, so positions are handed out in commit order and a
-- reader that resumes after position p never misses a change nor sees one twice.
CREATE TABLE revisions (
    position INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('actor', 'event', 'quote', 'source')),
    record_id TEXT NOT NULL,
    -- The record's version after the change; a deletion's is one past the last version.
    number INTEGER NOT NULL,
    operation TEXT NOT NULL CHECK (operation IN ('create', 'update', 'delete')),
    at TEXT NOT NULL,
    author TEXT NOT NULL,
    note TEXT,
    -- The record after the change as the store encodes it (JSON); NULL for a deletion.
    state TEXT
);
CREATE UNIQUE INDEX revisions_by_record ON revisions (kind, record_id, number);

-- Which records a write transaction created, changed or deleted, filled by the triggers below
-- whatever path wrote (an API request, a cascade, an import) and emptied into `revisions`
-- before the transaction commits: a write cannot skip its revision.
CREATE TABLE revision_queue (
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    -- For a deletion, the version the record had.
    version INTEGER NOT NULL
);

CREATE TRIGGER actors_created AFTER INSERT ON actors BEGIN
    INSERT INTO revision_queue VALUES ('actor', NEW.id, 'create', NEW.version); END;
CREATE TRIGGER actors_changed AFTER UPDATE OF version ON actors WHEN NEW.version <> OLD.version BEGIN
    INSERT INTO revision_queue VALUES ('actor', NEW.id, 'update', NEW.version); END;
CREATE TRIGGER actors_deleted AFTER DELETE ON actors BEGIN
    INSERT INTO revision_queue VALUES ('actor', OLD.id, 'delete', OLD.version); END;

CREATE TRIGGER events_created AFTER INSERT ON events BEGIN
    INSERT INTO revision_queue VALUES ('event', NEW.id, 'create', NEW.version); END;
CREATE TRIGGER events_changed AFTER UPDATE OF version ON events WHEN NEW.version <> OLD.version BEGIN
    INSERT INTO revision_queue VALUES ('event', NEW.id, 'update', NEW.version); END;
CREATE TRIGGER events_deleted AFTER DELETE ON events BEGIN
    INSERT INTO revision_queue VALUES ('event', OLD.id, 'delete', OLD.version); END;

CREATE TRIGGER quotes_created AFTER INSERT ON quotes BEGIN
    INSERT INTO revision_queue VALUES ('quote', NEW.id, 'create', NEW.version); END;
CREATE TRIGGER quotes_changed AFTER UPDATE OF version ON quotes WHEN NEW.version <> OLD.version BEGIN
    INSERT INTO revision_queue VALUES ('quote', NEW.id, 'update', NEW.version); END;
CREATE TRIGGER quotes_deleted AFTER DELETE ON quotes BEGIN
    INSERT INTO revision_queue VALUES ('quote', OLD.id, 'delete', OLD.version); END;

CREATE TRIGGER sources_created AFTER INSERT ON sources BEGIN
    INSERT INTO revision_queue VALUES ('source', NEW.id, 'create', NEW.version); END;
CREATE TRIGGER sources_changed AFTER UPDATE OF version ON sources WHEN NEW.version <> OLD.version BEGIN
    INSERT INTO revision_queue VALUES ('source', NEW.id, 'update', NEW.version); END;
CREATE TRIGGER sources_deleted AFTER DELETE ON sources BEGIN
    INSERT INTO revision_queue VALUES ('source', OLD.id, 'delete', OLD.version); END;

-- Records written before revisions were kept start their history here: the store writes each
-- one's current state as its first revision when it next opens the database.
INSERT INTO revision_queue SELECT 'actor', id, 'create', version FROM actors;
INSERT INTO revision_queue SELECT 'event', id, 'create', version FROM events;
INSERT INTO revision_queue SELECT 'quote', id, 'create', version FROM quotes;
INSERT INTO revision_queue SELECT 'source', id, 'create', version FROM sources;

-- Webhooks: where to deliver the feed, how far each has got, and its last attempts.
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    -- Comma-separated kinds; empty for every kind.
    kinds TEXT NOT NULL DEFAULT '',
    actor_id TEXT,
    -- The feed position delivered up to (every change at or before it was delivered or filtered out).
    position INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE TABLE webhook_deliveries (
    seq INTEGER PRIMARY KEY,
    webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    delivery_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    at TEXT NOT NULL,
    status INTEGER,
    error TEXT,
    duration_ms REAL NOT NULL,
    -- For a failed attempt, when the next one is due.
    next_attempt_at TEXT
);
CREATE INDEX webhook_deliveries_by_hook ON webhook_deliveries (webhook_id, seq);
