-- PostgreSQL announces a network's events to the other servers by trigger (see the
-- migration of the same name there). A SQLite database is served by one process, which
-- announces its own writes in memory. Nothing to create; the step keeps both engines'
-- migration lists the same.
SELECT 1;
