-- Every receiving-side query carries `status <> 'draft'` (a draft is its referrer's
-- alone). The deadline index then needs the status to stay covering: without it, each
-- row of the late and due-soon queues cost a lookup in the table.
DROP INDEX referrals_to_due;
CREATE INDEX referrals_to_due ON referrals (to_org_id, due_on, created_at, id, status);
