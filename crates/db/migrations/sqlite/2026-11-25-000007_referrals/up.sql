-- Referral agreements (verwijskader): versions per municipality, each from its date.
-- A version is never changed once written; a new one replaces it from its own date.
CREATE TABLE referral_agreements (
    id TEXT NOT NULL PRIMARY KEY,
    gemeente_code TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    consultation_days INTEGER NOT NULL,
    accept_days INTEGER NOT NULL,
    urgent_accept_days INTEGER NOT NULL,
    feedback_days TEXT NOT NULL,
    team_first_areas TEXT NOT NULL,
    team_first_urgencies TEXT NOT NULL,
    inform TEXT NOT NULL,
    note TEXT,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (gemeente_code, effective_from)
);

-- A child, with the least data a referral needs. Name and BSN are encrypted.
CREATE TABLE children (
    id TEXT NOT NULL PRIMARY KEY,
    name_sealed TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    gemeente_code TEXT NOT NULL,
    bsn_sealed TEXT,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE referrals (
    id TEXT NOT NULL PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES children(id),
    -- An onward referral points at the referral it continues.
    parent_id TEXT REFERENCES referrals(id),
    consultation_id TEXT REFERENCES consultations(id),
    agreements_id TEXT REFERENCES referral_agreements(id),
    from_org_id TEXT NOT NULL REFERENCES organisations(id),
    referrer_id TEXT NOT NULL REFERENCES users(id),
    on_behalf_of_id TEXT REFERENCES users(id),
    to_org_id TEXT NOT NULL REFERENCES organisations(id),
    service_id TEXT REFERENCES services(id) ON DELETE SET NULL,
    school_id TEXT REFERENCES organisations(id),
    reason_sealed TEXT NOT NULL,
    problem_areas TEXT NOT NULL,
    urgency TEXT NOT NULL,
    status TEXT NOT NULL,
    case_director_id TEXT REFERENCES users(id),
    -- The next deadline of the receiving side (accept by, or the next feedback moment);
    -- empty once the referral is finished.
    due_on TEXT,
    accepted_on TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- The inbox queues find their ids on these alone (they cover the filters, the order and
-- the id), so that their cost does not grow with the archive.
CREATE INDEX referrals_to ON referrals (to_org_id, status, due_on, created_at, id);
CREATE INDEX referrals_from ON referrals (from_org_id, created_at, id);
-- due_on is set only while the receiving side owes something (a decision or feedback),
-- so "late" and "due soon" are ranges on this index, read in order and stopped early.
CREATE INDEX referrals_to_due ON referrals (to_org_id, due_on, created_at, id);
CREATE INDEX referrals_parent ON referrals (parent_id);
CREATE INDEX referrals_child ON referrals (child_id);
CREATE INDEX referrals_case_director ON referrals (case_director_id, status, to_org_id, due_on, created_at, id);

-- Every move of a referral: who, when, from where to where, and why.
CREATE TABLE referral_events (
    id TEXT NOT NULL PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals(id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor_id TEXT NOT NULL REFERENCES users(id),
    reason_sealed TEXT,
    at TIMESTAMP NOT NULL
);
CREATE INDEX referral_events_referral ON referral_events (referral_id, at);

-- Terugkoppeling to the referrer.
CREATE TABLE referral_feedback (
    id TEXT NOT NULL PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals(id),
    author_id TEXT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    body_sealed TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX referral_feedback_referral ON referral_feedback (referral_id, at);

-- Attachments (PDF or image), encrypted like everything else about the child.
CREATE TABLE referral_attachments (
    id TEXT NOT NULL PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals(id),
    -- File names often name the child: sealed too.
    file_name_sealed TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    content_sealed TEXT NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES users(id),
    at TIMESTAMP NOT NULL
);
CREATE INDEX referral_attachments_referral ON referral_attachments (referral_id);
