DROP INDEX referrals_to_due;
CREATE INDEX referrals_to_due ON referrals (to_org_id, due_on, created_at, id);
