-- The longest span (in days) any event has ever had. Date-overlap queries use it to bound
-- start_earliest from below, so they scan the index only near the asked-for period instead of
-- everything that started before it. It only grows (deletes leave it as is), so it is always
-- a safe bound.
CREATE TABLE event_span_bound (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    max_span_days INTEGER NOT NULL
);
INSERT INTO event_span_bound (id, max_span_days)
SELECT 1, coalesce(max(CAST(julianday(span_latest) - julianday(start_earliest) AS INTEGER)), 0) FROM events;
