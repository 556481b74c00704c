DROP INDEX plans_next_due;
ALTER TABLE plans DROP COLUMN next_due_on;
