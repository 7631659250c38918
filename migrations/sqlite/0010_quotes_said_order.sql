-- The quote list's default order is coalesce(said_earliest, ''), id (a quote with no date first,
-- and a cursor that compares no NULL). quotes_said holds said_earliest itself, so each page of
-- the list sorted every quote: 0.1 s a page at 1,000,000 quotes, seconds when cold. This index
-- holds the order itself, so a page reads its rows in order from the cursor on and stops.
CREATE INDEX quotes_said_order ON quotes (coalesce(said_earliest, ''), id);
