-- Entries from now on are keyed (HMAC under a key derived from the installation key)
-- and name the organisations whose data they are about, so that the owner of the data
-- sees attempts on it in its own audit view.
ALTER TABLE audit_log ADD COLUMN keyed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE audit_log ADD COLUMN subject_org_id TEXT;
ALTER TABLE audit_log ADD COLUMN other_subject_org_id TEXT;
CREATE INDEX audit_log_subject_org ON audit_log (subject_org_id, seq);
CREATE INDEX audit_log_other_subject_org ON audit_log (other_subject_org_id, seq);
-- TRUNCATE fires no row triggers: refuse it too.
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
