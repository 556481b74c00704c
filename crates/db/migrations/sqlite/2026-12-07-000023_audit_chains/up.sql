-- On PostgreSQL the audit log is several chains side by side (see that migration). A
-- SQLite database has one writer at a time, so one chain, chain 0; the column keeps one
-- schema for both engines.
ALTER TABLE audit_log ADD COLUMN chain INTEGER NOT NULL DEFAULT 0;
