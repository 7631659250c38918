-- An event's quotes in the order its response embeds them (said, then id), with their ids in
-- the index: reading an event's quotes needs no sort, and finding their citations no visit to
-- the quotes table. It covers everything the index on event_id alone served, so that one goes.
CREATE INDEX quotes_event_said ON quotes (event_id, said_earliest, id);
DROP INDEX quotes_event;
