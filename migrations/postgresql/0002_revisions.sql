-- Every create, update and delete of an actor, event, quote or source, kept for good: a
-- record's history, and all of it in commit order as the change feed.
--
-- Positions are handed out at the end of each write transaction by one row, feed_head, whose
-- row lock the transaction then holds until it commits: a second writer's positions wait for
-- the first's commit, so positions follow commit order, and a reader that sees position p has
-- seen every change before it. (A sequence would not do: its numbers are taken in start order
-- and commit in any order, so a reader resuming after p could miss a smaller one committed
-- later.) Writers serialise only for that last step.
CREATE TABLE revisions (
    position   bigint PRIMARY KEY,
    kind       text NOT NULL CHECK (kind IN ('actor', 'event', 'quote', 'source')),
    record_id  text COLLATE "C" NOT NULL,
    -- The record's version after the change; a deletion's is one past the last version.
    number     integer NOT NULL,
    operation  text NOT NULL CHECK (operation IN ('create', 'update', 'delete')),
    at         text NOT NULL,
    author     text NOT NULL,
    note       text,
    -- The record after the change as the store encodes it (JSON, the same text as SQLite's);
    -- NULL for a deletion.
    state      text,
    CONSTRAINT revisions_by_record UNIQUE (kind, record_id, number)
);
CREATE INDEX revisions_kind_position ON revisions (kind, position);

CREATE TABLE feed_head (
    id       integer PRIMARY KEY CHECK (id = 1),
    position bigint NOT NULL
);
INSERT INTO feed_head (id, position) VALUES (1, 0);

-- Which records a write transaction created, changed or deleted, filled by the triggers below
-- whatever path wrote (a repository, a cascade) and emptied into `revisions` before the
-- transaction commits: a write cannot skip its revision. Rows never outlive their transaction,
-- so the table is unlogged.
CREATE UNLOGGED TABLE revision_queue (
    seq       bigserial PRIMARY KEY,
    kind      text NOT NULL,
    record_id text NOT NULL,
    operation text NOT NULL,
    -- For a deletion, the version the record had.
    version   integer NOT NULL
);

CREATE FUNCTION queue_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO revision_queue (kind, record_id, operation, version) VALUES (TG_ARGV[0], NEW.id, 'create', NEW.version);
    ELSIF TG_OP = 'UPDATE' THEN
        IF NEW.version <> OLD.version THEN
            INSERT INTO revision_queue (kind, record_id, operation, version) VALUES (TG_ARGV[0], NEW.id, 'update', NEW.version);
        END IF;
    ELSE
        INSERT INTO revision_queue (kind, record_id, operation, version) VALUES (TG_ARGV[0], OLD.id, 'delete', OLD.version);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER actors_revisions AFTER INSERT OR UPDATE OF version OR DELETE ON actors
    FOR EACH ROW EXECUTE FUNCTION queue_revision('actor');
CREATE TRIGGER events_revisions AFTER INSERT OR UPDATE OF version OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION queue_revision('event');
CREATE TRIGGER quotes_revisions AFTER INSERT OR UPDATE OF version OR DELETE ON quotes
    FOR EACH ROW EXECUTE FUNCTION queue_revision('quote');
CREATE TRIGGER sources_revisions AFTER INSERT OR UPDATE OF version OR DELETE ON sources
    FOR EACH ROW EXECUTE FUNCTION queue_revision('source');
