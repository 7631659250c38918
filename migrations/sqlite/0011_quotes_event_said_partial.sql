-- quotes_event_said holds an event's quotes in order (0004); a quote with no event had an entry
-- too, keyed by NULL and its date, so each such insert landed at a random place in a large
-- index. Only quotes with an event are looked up through it (`event_id = ?` implies NOT NULL,
-- so SQLite's planner still uses it for an event's quotes, the quote list's event filter and
-- the foreign key's checks).
DROP INDEX quotes_event_said;
CREATE INDEX quotes_event_said ON quotes (event_id, said_earliest, id) WHERE event_id IS NOT NULL;
