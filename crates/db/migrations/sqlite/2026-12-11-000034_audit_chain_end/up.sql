-- PostgreSQL plans the audit claim's read of a chain's end per chain (see the migration
-- of the same name there). SQLite has one chain and plans no generic statements.
-- Nothing to change; the step keeps both engines' migration lists the same.
SELECT 1;
