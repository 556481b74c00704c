-- Case meetings (casuïstiekoverleg) of a team: scheduled with their participants; items
-- about a child's network or a referral (why it is on the agenda, who brought it in),
-- with the chair's minutes (texts sealed under the installation key) and the plan
-- version the decision's actions went into.
CREATE TABLE meetings (
    id TEXT NOT NULL PRIMARY KEY,
    team_org_id TEXT NOT NULL REFERENCES organisations(id),
    title TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    place TEXT NOT NULL,
    video_link TEXT,
    chair_id TEXT NOT NULL REFERENCES users(id),
    -- planned, held (the minutes were sent)
    state TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX meetings_team ON meetings (team_org_id, starts_at);

CREATE TABLE meeting_participants (
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (meeting_id, user_id)
);
CREATE INDEX meeting_participants_user ON meeting_participants (user_id);

CREATE TABLE meeting_items (
    id TEXT NOT NULL PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    position INTEGER NOT NULL,
    -- evaluation, referral, actions, added
    kind TEXT NOT NULL,
    network_id TEXT REFERENCES networks(id),
    referral_id TEXT REFERENCES referrals(id),
    -- What the person who added it asks the meeting (sealed), if anything.
    question_sealed TEXT,
    added_by TEXT NOT NULL REFERENCES users(id),
    added_at TIMESTAMP NOT NULL,
    discussion_sealed TEXT,
    decisions_sealed TEXT,
    -- The decided actions as JSON (sealed), as recorded.
    actions_sealed TEXT,
    plan_version INTEGER,
    recorded_by TEXT REFERENCES users(id),
    recorded_at TIMESTAMP
);
CREATE INDEX meeting_items_meeting ON meeting_items (meeting_id, position);
CREATE INDEX meeting_items_network ON meeting_items (network_id);

-- Family members invited to their own child's item: they see that item only.
CREATE TABLE meeting_item_guests (
    item_id TEXT NOT NULL REFERENCES meeting_items(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    member_id TEXT NOT NULL REFERENCES network_members(id),
    invited_by TEXT NOT NULL REFERENCES users(id),
    invited_at TIMESTAMP NOT NULL,
    PRIMARY KEY (item_id, user_id)
);
CREATE INDEX meeting_item_guests_user ON meeting_item_guests (user_id);
