-- A page of events by date reads its rows' stamps (id, version, creation time) and the end of
-- each span from this index alone, in its order, without a lookup of each row in the table:
-- with the page's renderings kept (the API's kept rows), those lookups were most of a page's
-- cost. It has the same leading columns as the index it replaces, so every query that used
-- that one uses this one.
CREATE INDEX events_start_page ON events (start_earliest, id, span_latest, version, created_at);
DROP INDEX events_start;
