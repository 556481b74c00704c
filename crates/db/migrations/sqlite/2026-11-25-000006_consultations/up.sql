-- Consultation (overleg): a practice's question to a social team, answered in a thread.
-- Subject and messages are stored encrypted (they may describe a child).
CREATE TABLE consultations (
    id TEXT NOT NULL PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    team_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    asker_id TEXT NOT NULL REFERENCES users(id),
    subject_sealed TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee_id TEXT REFERENCES users(id),
    due_on TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    answered_at TIMESTAMP
);
CREATE INDEX consultations_team ON consultations (team_id, status, due_on);
CREATE INDEX consultations_practice ON consultations (practice_id, created_at);

CREATE TABLE consultation_messages (
    id TEXT NOT NULL PRIMARY KEY,
    consultation_id TEXT NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    author_id TEXT NOT NULL REFERENCES users(id),
    body_sealed TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX consultation_messages_consultation ON consultation_messages (consultation_id, created_at);

-- In-app notifications: that something waits, with a link; never content about a child.
CREATE TABLE notifications (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX notifications_user ON notifications (user_id, read_at);
