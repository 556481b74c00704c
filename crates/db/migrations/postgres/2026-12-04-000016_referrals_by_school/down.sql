DROP INDEX referrals_school;
