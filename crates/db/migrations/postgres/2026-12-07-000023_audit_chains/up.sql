-- The audit log becomes several hash chains side by side. One chain made every audited
-- transaction wait, lock held, for the commit of the one before it: a ceiling of a few
-- hundred audited writes a second however many cores the database has. Each entry now
-- links to the previous entry of its own chain; sequence numbers come from a sequence,
-- so they stay unique and rise within every chain (taken under the chain's lock), with
-- gaps where a transaction rolled back. The entries so far are chain 0.
--
-- All servers must run the new version together: an old server would chain to the
-- log's last entry whatever its chain.
ALTER TABLE audit_log ADD COLUMN chain INTEGER NOT NULL DEFAULT 0;
CREATE INDEX audit_log_chain ON audit_log (chain, seq);
CREATE SEQUENCE audit_log_seq AS BIGINT;
SELECT setval('audit_log_seq', COALESCE((SELECT max(seq) FROM audit_log), 0) + 1, false);
