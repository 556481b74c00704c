DROP TABLE referral_attachments;
DROP TABLE referral_feedback;
DROP TABLE referral_events;
DROP TABLE referrals;
DROP TABLE children;
DROP TABLE referral_agreements;
