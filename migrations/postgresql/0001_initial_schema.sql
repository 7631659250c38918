-- Chronicle's schema on PostgreSQL: the same records as on SQLite (migrations/sqlite), with its
-- own migrations. Partial dates are kept as their text, precision, and earliest and latest day
-- (YYYY-MM-DD), so that date-overlap filters are plain comparisons on indexed columns.
--
-- Every column that lists sort or page by, and every id, is COLLATE "C": text then sorts by
-- its bytes (code points), as SQLite's BINARY does, whatever collation the database was created
-- with, so lists and cursors are the same on both engines (see EngineDifferences.swift).
-- Timestamps are ISO 8601 text with milliseconds, as on SQLite, so cursors holding them are too.

-- Search: words are folded to lower case without accents (unaccent ships with Debian's
-- postgresql-15; it is a trusted extension, so the database's owner may create it).
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH CONFIGURATION chronicle_search (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION chronicle_search
    ALTER MAPPING FOR asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part, hword_numpart
    WITH unaccent, simple;

CREATE TABLE sources (
    id          text COLLATE "C" PRIMARY KEY,
    -- NULL for documents with no address (a print edition, a file handed to the newsroom).
    url         text,
    title       text COLLATE "C" NOT NULL,
    publisher   text,
    author      text,
    published   text COLLATE "C",
    accessed    text,
    created_at  text COLLATE "C" NOT NULL,
    updated_at  text COLLATE "C" NOT NULL,
    version     integer NOT NULL DEFAULT 1
);
CREATE INDEX sources_title ON sources (title, id);
CREATE INDEX sources_created ON sources (created_at, id);
CREATE INDEX sources_publisher ON sources (publisher);

CREATE TABLE actors (
    id          text COLLATE "C" PRIMARY KEY,
    slug        text COLLATE "C" NOT NULL CONSTRAINT actors_slug_key UNIQUE,
    kind        text NOT NULL CHECK (kind IN ('person', 'organization', 'country', 'group')),
    name        text COLLATE "C" NOT NULL,
    description text,
    country     text,
    wikidata_id text CONSTRAINT actors_wikidata_id_key UNIQUE,
    created_at  text COLLATE "C" NOT NULL,
    updated_at  text COLLATE "C" NOT NULL,
    version     integer NOT NULL DEFAULT 1
);
CREATE INDEX actors_name ON actors (name, id);
CREATE INDEX actors_created ON actors (created_at, id);
CREATE INDEX actors_kind ON actors (kind);
CREATE INDEX actors_country ON actors (country);

CREATE TABLE actor_aliases (
    actor_id    text COLLATE "C" NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    position    integer NOT NULL,
    name        text NOT NULL,
    language    text,
    PRIMARY KEY (actor_id, position)
);

CREATE TABLE events (
    id               text COLLATE "C" PRIMARY KEY,
    title            text COLLATE "C" NOT NULL,
    summary          text,
    start_date       text NOT NULL,
    start_precision  text NOT NULL CHECK (start_precision IN ('year', 'month', 'day')),
    start_earliest   text COLLATE "C" NOT NULL,
    end_date         text,
    end_precision    text CHECK (end_precision IN ('year', 'month', 'day')),
    -- The last day the event may cover: the end's latest day, or the start's when there is no end.
    span_latest      text COLLATE "C" NOT NULL,
    location_name    text,
    location_country text,
    category         text NOT NULL,
    created_at       text COLLATE "C" NOT NULL,
    updated_at       text COLLATE "C" NOT NULL,
    version          integer NOT NULL DEFAULT 1
);
CREATE INDEX events_start ON events (start_earliest, id);
CREATE INDEX events_span ON events (span_latest, id);
CREATE INDEX events_created ON events (created_at, id);
CREATE INDEX events_category ON events (category);
CREATE INDEX events_country ON events (location_country);

CREATE TABLE event_participants (
    event_id    text COLLATE "C" NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    actor_id    text COLLATE "C" NOT NULL REFERENCES actors (id),
    role        text NOT NULL,
    position    integer NOT NULL,
    PRIMARY KEY (event_id, actor_id, role)
);
CREATE INDEX event_participants_actor ON event_participants (actor_id, role);

CREATE TABLE quotes (
    id             text COLLATE "C" PRIMARY KEY,
    text           text NOT NULL,
    language       text NOT NULL,
    speaker_id     text COLLATE "C" REFERENCES actors (id),
    said_date      text,
    said_precision text CHECK (said_precision IN ('year', 'month', 'day')),
    said_earliest  text COLLATE "C",
    said_latest    text COLLATE "C",
    event_id       text COLLATE "C" REFERENCES events (id),
    context        text,
    verification   text NOT NULL,
    created_at     text COLLATE "C" NOT NULL,
    updated_at     text COLLATE "C" NOT NULL,
    version        integer NOT NULL DEFAULT 1
);
CREATE INDEX quotes_speaker ON quotes (speaker_id);
CREATE INDEX quotes_event_said ON quotes (event_id, said_earliest, id);
CREATE INDEX quotes_said ON quotes ((coalesce(said_earliest, '')), id);
CREATE INDEX quotes_created ON quotes (created_at, id);

CREATE TABLE event_citations (
    event_id    text COLLATE "C" NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    position    integer NOT NULL,
    source_id   text COLLATE "C" NOT NULL REFERENCES sources (id),
    excerpt     text,
    PRIMARY KEY (event_id, position)
);
CREATE INDEX event_citations_source ON event_citations (source_id);

CREATE TABLE quote_citations (
    quote_id    text COLLATE "C" NOT NULL REFERENCES quotes (id) ON DELETE CASCADE,
    position    integer NOT NULL,
    source_id   text COLLATE "C" NOT NULL REFERENCES sources (id),
    excerpt     text,
    PRIMARY KEY (quote_id, position)
);
CREATE INDEX quote_citations_source ON quote_citations (source_id);

-- One search document per record of any kind, so that one query ranks them together; kept in
-- step by the repositories in the write's transaction. The title weighs A, the body B.
CREATE TABLE search_documents (
    record_id   text COLLATE "C" PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('actor', 'event', 'quote', 'source')),
    title       text NOT NULL,
    body        text NOT NULL,
    document    tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('chronicle_search'::regconfig, title), 'A')
                    || setweight(to_tsvector('chronicle_search'::regconfig, body), 'B')) STORED
);
CREATE INDEX search_documents_document ON search_documents USING gin (document);

-- API tokens for writes. Only the SHA-256 of each secret is stored.
CREATE TABLE api_tokens (
    id          text COLLATE "C" PRIMARY KEY,
    name        text NOT NULL CONSTRAINT api_tokens_name_key UNIQUE,
    scope       text NOT NULL CHECK (scope IN ('read', 'write', 'admin')),
    secret_hash text NOT NULL UNIQUE,
    created_at  text COLLATE "C" NOT NULL,
    revoked_at  text
);
