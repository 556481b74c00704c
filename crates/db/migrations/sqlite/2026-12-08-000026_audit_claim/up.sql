-- PostgreSQL claims a place in the audit log with a function (see the migration of the
-- same name there). SQLite has one chain behind its writer lock. Nothing to create; the
-- step keeps both engines' migration lists the same.
SELECT 1;
