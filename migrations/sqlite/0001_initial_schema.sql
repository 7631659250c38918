-- Chronicle's first schema: sources, actors (with aliases), events (with participants and
-- citations), quotes (with citations) and one full-text index over all of them.
-- Partial dates are stored as their text, precision, and earliest and latest day (YYYY-MM-DD),
-- so that date-overlap queries are plain text comparisons on indexed columns.

CREATE TABLE sources (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    -- NULL for documents with no address (a print edition, a file handed to the newsroom).
    url          TEXT,
    title        TEXT NOT NULL,
    publisher    TEXT,
    author       TEXT,
    published    TEXT,
    accessed     TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX sources_title ON sources (title, id);
CREATE INDEX sources_created ON sources (created_at, id);

CREATE TABLE actors (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    slug         TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL CHECK (kind IN ('person', 'organization', 'country', 'group')),
    name         TEXT NOT NULL,
    description  TEXT,
    country      TEXT,
    wikidata_id  TEXT UNIQUE,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX actors_name ON actors (name, id);
CREATE INDEX actors_created ON actors (created_at, id);
CREATE INDEX actors_kind ON actors (kind);
CREATE INDEX actors_country ON actors (country);

CREATE TABLE actor_aliases (
    actor_id     TEXT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    language     TEXT,
    PRIMARY KEY (actor_id, position)
) WITHOUT ROWID;

CREATE TABLE events (
    seq              INTEGER PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    title            TEXT NOT NULL,
    summary          TEXT,
    start_date       TEXT NOT NULL,
    start_precision  TEXT NOT NULL CHECK (start_precision IN ('year', 'month', 'day')),
    start_earliest   TEXT NOT NULL,
    end_date         TEXT,
    end_precision    TEXT CHECK (end_precision IN ('year', 'month', 'day')),
    -- The last day the event may cover: the end's latest day, or the start's when there is no end.
    span_latest      TEXT NOT NULL,
    location_name    TEXT,
    location_country TEXT,
    category         TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX events_start ON events (start_earliest, id);
CREATE INDEX events_span ON events (span_latest);
CREATE INDEX events_created ON events (created_at, id);
CREATE INDEX events_category ON events (category);
CREATE INDEX events_country ON events (location_country);

CREATE TABLE event_participants (
    event_id     TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    actor_id     TEXT NOT NULL REFERENCES actors (id),
    role         TEXT NOT NULL,
    position     INTEGER NOT NULL,
    PRIMARY KEY (event_id, actor_id, role)
) WITHOUT ROWID;
CREATE INDEX event_participants_actor ON event_participants (actor_id, role);

CREATE TABLE quotes (
    seq            INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    text           TEXT NOT NULL,
    language       TEXT NOT NULL,
    speaker_id     TEXT REFERENCES actors (id),
    said_date      TEXT,
    said_precision TEXT CHECK (said_precision IN ('year', 'month', 'day')),
    said_earliest  TEXT,
    said_latest    TEXT,
    event_id       TEXT REFERENCES events (id),
    context        TEXT,
    verification   TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX quotes_speaker ON quotes (speaker_id);
CREATE INDEX quotes_event ON quotes (event_id);
CREATE INDEX quotes_said ON quotes (said_earliest, id);
CREATE INDEX quotes_created ON quotes (created_at, id);

CREATE TABLE event_citations (
    event_id     TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    source_id    TEXT NOT NULL REFERENCES sources (id),
    excerpt      TEXT,
    PRIMARY KEY (event_id, position)
) WITHOUT ROWID;
CREATE INDEX event_citations_source ON event_citations (source_id);

CREATE TABLE quote_citations (
    quote_id     TEXT NOT NULL REFERENCES quotes (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    source_id    TEXT NOT NULL REFERENCES sources (id),
    excerpt      TEXT,
    PRIMARY KEY (quote_id, position)
) WITHOUT ROWID;
CREATE INDEX quote_citations_source ON quote_citations (source_id);

-- One index over every kind, so that one query ranks events, actors and quotes together.
-- rowid = seq * 4 + kind tag (0 actor, 1 event, 2 quote, 3 source), kept in step by the store.
CREATE VIRTUAL TABLE search_index USING fts5 (
    kind UNINDEXED,
    record_id UNINDEXED,
    title,
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);
