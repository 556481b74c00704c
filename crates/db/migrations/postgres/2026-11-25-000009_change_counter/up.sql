-- SQLite counts changes in a table (see the SQLite migration of the same name);
-- PostgreSQL announces them (change_notices). Nothing to create here; the step keeps both
-- engines' migration lists the same.
SELECT 1;
