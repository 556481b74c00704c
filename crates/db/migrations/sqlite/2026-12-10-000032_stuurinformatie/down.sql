DROP TABLE area_youth;
DROP TABLE practice_youth;
DROP TABLE benchmarks;
ALTER TABLE children DROP COLUMN wijk_code;
DROP INDEX referrals_consultation;
DROP TABLE referral_facts;
