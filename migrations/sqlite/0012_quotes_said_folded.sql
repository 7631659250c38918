-- quotes_said (said_earliest, id) and quotes_said_order (coalesce(said_earliest, ''), id) held
-- the same dates in the same order; only a quote with no date sits differently. The list's `to`
-- filter now says coalesce(said_earliest, '') > '' AND coalesce(said_earliest, '') <= ?, the
-- same rows (no stored date is empty, and '' is not above ''), which quotes_said_order serves
-- as a range, in either direction. Every quote written paid for both, at a random place in
-- each: at a million quotes an import's batch dirtied thousands of leaf pages in each.
DROP INDEX quotes_said;
