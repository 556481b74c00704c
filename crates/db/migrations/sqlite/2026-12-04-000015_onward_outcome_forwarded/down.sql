ALTER TABLE referral_feedback DROP COLUMN source_id;
