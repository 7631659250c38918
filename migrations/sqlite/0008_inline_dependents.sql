-- Lists and exports read an event's participants and citations, and a quote's citations, with
-- the row itself: each row keeps them as a JSON array in the order given ([actor id, role] or
-- [source id, excerpt]), written in the same transaction as the tables they mirror. The tables
-- stay for what they answer by key (an actor's events, what cites a source); the lists save
-- two text-keyed lookups per row over a file of gigabytes. Names and titles are not kept here:
-- a rename still writes one row.
ALTER TABLE events ADD COLUMN participant_list TEXT NOT NULL DEFAULT '[]';
ALTER TABLE events ADD COLUMN citation_list TEXT NOT NULL DEFAULT '[]';
ALTER TABLE quotes ADD COLUMN citation_list TEXT NOT NULL DEFAULT '[]';

UPDATE events SET
    participant_list = (SELECT json_group_array(json_array(actor_id, role))
                        FROM (SELECT actor_id, role FROM event_participants WHERE event_id = events.id ORDER BY position)),
    citation_list = (SELECT json_group_array(json_array(source_id, excerpt))
                     FROM (SELECT source_id, excerpt FROM event_citations WHERE event_id = events.id ORDER BY position));

UPDATE quotes SET
    citation_list = (SELECT json_group_array(json_array(source_id, excerpt))
                     FROM (SELECT source_id, excerpt FROM quote_citations WHERE quote_id = quotes.id ORDER BY position))
WHERE EXISTS (SELECT 1 FROM quote_citations WHERE quote_id = quotes.id);
