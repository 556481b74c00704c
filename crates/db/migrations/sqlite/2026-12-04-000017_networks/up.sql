-- The network around a child (netwerk): one per child, coordinated by a case director.
-- Members are professionals, organisations (a school, a guardian institution) and the
-- family; what each may see follows the family's consent (consent_answers).
CREATE TABLE networks (
    id TEXT NOT NULL PRIMARY KEY,
    child_id TEXT NOT NULL UNIQUE REFERENCES children(id),
    coordinator_id TEXT NOT NULL REFERENCES users(id),
    coordinator_org_id TEXT NOT NULL REFERENCES organisations(id),
    referral_id TEXT REFERENCES referrals(id),
    opened_by TEXT NOT NULL REFERENCES users(id),
    opened_at TIMESTAMP NOT NULL
);

CREATE TABLE network_members (
    id TEXT NOT NULL PRIMARY KEY,
    network_id TEXT NOT NULL REFERENCES networks(id),
    -- professional, organisation or family
    kind TEXT NOT NULL,
    user_id TEXT REFERENCES users(id),
    organisation_id TEXT REFERENCES organisations(id),
    -- A family member's name (sealed: personal data) while they have no account.
    name_sealed TEXT,
    -- Family: ouder, voogd, pleegouder, anders or jeugdige.
    relation TEXT,
    gezag BOOLEAN NOT NULL,
    -- What the member does for the child, in words ("huisarts", "intern begeleider").
    role_label TEXT NOT NULL,
    -- proposed, active, removed
    state TEXT NOT NULL,
    added_by TEXT NOT NULL REFERENCES users(id),
    added_at TIMESTAMP NOT NULL,
    removed_by TEXT REFERENCES users(id),
    removed_at TIMESTAMP
);
CREATE INDEX network_members_network ON network_members (network_id);
CREATE INDEX network_members_user ON network_members (user_id) WHERE user_id IS NOT NULL;

-- Consent as it is answered, never rewritten: a withdrawal is a later answer.
CREATE TABLE consent_answers (
    id TEXT NOT NULL PRIMARY KEY,
    network_id TEXT NOT NULL REFERENCES networks(id),
    grantee_id TEXT NOT NULL REFERENCES network_members(id),
    category TEXT NOT NULL,
    by_member_id TEXT NOT NULL REFERENCES network_members(id),
    given BOOLEAN NOT NULL,
    -- rondom (in Rondom itself), mondeling (spoken) or schriftelijk (signed)
    how TEXT NOT NULL,
    answered_on TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX consent_answers_network ON consent_answers (network_id, grantee_id, category);
