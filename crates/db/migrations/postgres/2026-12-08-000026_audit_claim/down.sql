DROP FUNCTION rondom_audit_claim(INTEGER, INTEGER);
