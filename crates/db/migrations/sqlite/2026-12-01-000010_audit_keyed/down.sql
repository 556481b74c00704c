DROP INDEX audit_log_other_subject_org;
DROP INDEX audit_log_subject_org;
ALTER TABLE audit_log DROP COLUMN other_subject_org_id;
ALTER TABLE audit_log DROP COLUMN subject_org_id;
ALTER TABLE audit_log DROP COLUMN keyed;
