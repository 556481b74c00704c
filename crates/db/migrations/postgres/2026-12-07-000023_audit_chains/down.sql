DROP SEQUENCE audit_log_seq;
DROP INDEX audit_log_chain;
ALTER TABLE audit_log DROP COLUMN chain;
