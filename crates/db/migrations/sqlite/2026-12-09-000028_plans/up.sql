-- The family plan (gezinsplan): one per child's network. Every save is a new version,
-- kept whole and never rewritten; `plans` holds the number of the latest one (a save
-- names the version it was written on, so two people saving at once cannot overwrite
-- each other) and its evaluation date (the team leader's list of evaluations passed).
CREATE TABLE plans (
    network_id TEXT NOT NULL PRIMARY KEY REFERENCES networks(id),
    latest INTEGER NOT NULL,
    evaluation_on DATE,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX plans_evaluation ON plans (evaluation_on);

CREATE TABLE plan_versions (
    id TEXT NOT NULL PRIMARY KEY,
    network_id TEXT NOT NULL REFERENCES networks(id),
    number INTEGER NOT NULL,
    -- The plan as JSON, sealed under the installation key: a child's personal data.
    content_sealed TEXT NOT NULL,
    -- edit (a professional), family (the family's own words), meeting (a decision)
    source TEXT NOT NULL,
    meeting_id TEXT,
    saved_by TEXT NOT NULL REFERENCES users(id),
    saved_at TIMESTAMP NOT NULL,
    UNIQUE (network_id, number)
);

-- The agreements of each plan's latest version, replaced in the same transaction as the
-- version: who owes what by when, for reminders and the lists of actions due.
CREATE TABLE plan_actions (
    network_id TEXT NOT NULL REFERENCES networks(id),
    item_key TEXT NOT NULL,
    owner_member_id TEXT REFERENCES network_members(id),
    due_on DATE,
    -- open, busy, done, dropped
    status TEXT NOT NULL,
    what_sealed TEXT NOT NULL,
    not_for_parents BOOLEAN NOT NULL,
    -- The day its owner was reminded (once per due date).
    reminded_on DATE,
    PRIMARY KEY (network_id, item_key)
);
CREATE INDEX plan_actions_owner ON plan_actions (owner_member_id);
CREATE INDEX plan_actions_due ON plan_actions (due_on, status);

-- The family's answer to a version: akkoord (agreed) or a comment.
CREATE TABLE plan_responses (
    id TEXT NOT NULL PRIMARY KEY,
    network_id TEXT NOT NULL REFERENCES networks(id),
    version_id TEXT NOT NULL REFERENCES plan_versions(id),
    member_id TEXT NOT NULL REFERENCES network_members(id),
    -- akkoord or comment
    kind TEXT NOT NULL,
    comment_sealed TEXT,
    by_user TEXT NOT NULL REFERENCES users(id),
    at TIMESTAMP NOT NULL
);
CREATE INDEX plan_responses_network ON plan_responses (network_id, at);
-- A case director's overdue actions over all their families.
CREATE INDEX networks_coordinator ON networks (coordinator_id);
