-- The onward referral whose outcome a feedback entry passes on to the referrer, so that
-- each outcome is passed on once and the case director sees which still wait.
ALTER TABLE referral_feedback ADD COLUMN source_id TEXT REFERENCES referrals(id);
