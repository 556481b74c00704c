-- Nothing to undo (see up.sql).
-- advice for dates), which sorts and compares as the day does. Rondom reads and writes
-- these columns as dates on both engines; on PostgreSQL the migration of this name
-- makes them DATE columns. Nothing to change in this file's engine.
SELECT 1;
