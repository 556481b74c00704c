-- A school's list of its pupils' referrals (the verwijskader decides what it hears).
CREATE INDEX referrals_school ON referrals (school_id, updated_at) WHERE school_id IS NOT NULL;
