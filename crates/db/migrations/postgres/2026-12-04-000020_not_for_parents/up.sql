-- Items of a child's network that a professional marked as not for the parents, at the
-- request of a youth of 12 or over (a feedback line, a referral's reason; later a
-- message or a part of the plan). Taking the mark off deletes the row; both are in the
-- audit log.
CREATE TABLE not_for_parents (
    network_id TEXT NOT NULL REFERENCES networks(id),
    -- referral, feedback (later: message, plan_item)
    item_kind TEXT NOT NULL,
    item_id TEXT NOT NULL,
    marked_by TEXT NOT NULL REFERENCES users(id),
    marked_at TIMESTAMP NOT NULL,
    PRIMARY KEY (network_id, item_kind, item_id)
);
-- The team leader's overview of emergency access reads by the coordinating team.
CREATE INDEX networks_coordinator_org ON networks (coordinator_org_id);
-- The days a network's child turned 12 and 16, once each: the case director and the
-- family are told (by whichever server's housekeeping sees it first).
CREATE TABLE network_milestones (
    network_id TEXT NOT NULL REFERENCES networks(id),
    -- 12 or 16
    age INTEGER NOT NULL,
    noticed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (network_id, age)
);
-- The networks an organisation is in as a whole (a school's, a guardian institution's).
CREATE INDEX network_members_organisation ON network_members (organisation_id) WHERE user_id IS NULL;
