-- The earliest date among a plan's open agreements, kept with each version (the same
-- transaction): a team's networks with late agreements are found along this index, not
-- by reading every agreement of every network the team coordinates.
ALTER TABLE plans ADD COLUMN next_due_on DATE;
UPDATE plans SET next_due_on = (
    SELECT MIN(a.due_on) FROM plan_actions a
    WHERE a.network_id = plans.network_id AND a.status IN ('open', 'busy')
);
CREATE INDEX plans_next_due ON plans (next_due_on);
