-- The longest span (in days) any event has ever had, as SQLite's 0003: a date-overlap query
-- bounds start_earliest from below with it, so it scans the index near the asked-for period
-- instead of everything that started before it (a month's page took 18 ms of a backend's time,
-- most of it reading events that ended long before). It only grows (deletes leave it), so it is
-- always a safe bound; a write moves it only when it grows, so writers rarely touch the row.
CREATE TABLE event_span_bound (
    id            integer PRIMARY KEY CHECK (id = 1),
    max_span_days integer NOT NULL
);
-- Days between the stored dates ('YYYY-MM-DD', year 0000 allowed, which PostgreSQL's date is
-- not), by their Julian day numbers, as `EventSpan.days` counts them.
CREATE FUNCTION chronicle_julian_day(day text) RETURNS integer LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT d + (153 * (m + 12 * a - 3) + 2) / 5 + 365 * (y + 4800 - a) + (y + 4800 - a) / 4 - (y + 4800 - a) / 100 + (y + 4800 - a) / 400 - 32045
    FROM (SELECT substr(day, 1, 4)::integer AS y, substr(day, 6, 2)::integer AS m, substr(day, 9, 2)::integer AS d,
                 (14 - substr(day, 6, 2)::integer) / 12 AS a) AS parts
$$;
-- And back: the day a Julian day number names, as stored ('YYYY-MM-DD'); nothing before 0000-01-01.
CREATE FUNCTION chronicle_day(julian integer) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT lpad((100 * b + d - 4800 + m / 10)::text, 4, '0') || '-' || lpad((m + 3 - 12 * (m / 10))::text, 2, '0') || '-'
           || lpad((e - (153 * m + 2) / 5 + 1)::text, 2, '0')
    FROM (SELECT b, d, e, (5 * e + 2) / 153 AS m
          FROM (SELECT b, d, c - 1461 * d / 4 AS e
                FROM (SELECT b, c, (4 * c + 3) / 1461 AS d
                      FROM (SELECT b, a - 146097 * b / 4 AS c
                            FROM (SELECT a, (4 * a + 3) / 146097 AS b
                                  FROM (SELECT greatest(julian, 1721060) + 32044 AS a) AS s1) AS s2) AS s3) AS s4) AS s5) AS s6
$$;
INSERT INTO event_span_bound (id, max_span_days)
SELECT 1, coalesce(max(chronicle_julian_day(span_latest) - chronicle_julian_day(start_earliest)), 0) FROM events;
