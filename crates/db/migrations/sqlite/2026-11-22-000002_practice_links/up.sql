-- Sociale kaart, first part: which consultants of the social team are linked to a
-- general practice, their weekly hours there (with exceptions), and how to reach the
-- team (the overleglijn).
ALTER TABLE users ADD COLUMN phone TEXT;
ALTER TABLE organisations ADD COLUMN overleglijn_phone TEXT;
ALTER TABLE organisations ADD COLUMN overleglijn_hours TEXT;
CREATE TABLE practice_links (
    id TEXT NOT NULL PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    team_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    consultant_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX practice_links_unique ON practice_links (practice_id, consultant_id);
CREATE TABLE consultation_hours (
    id TEXT NOT NULL PRIMARY KEY,
    link_id TEXT NOT NULL REFERENCES practice_links(id) ON DELETE CASCADE,
    weekday INTEGER NOT NULL,
    start_minute INTEGER NOT NULL,
    end_minute INTEGER NOT NULL
);
CREATE INDEX consultation_hours_link ON consultation_hours (link_id);
CREATE TABLE hour_exceptions (
    id TEXT NOT NULL PRIMARY KEY,
    link_id TEXT NOT NULL REFERENCES practice_links(id) ON DELETE CASCADE,
    on_date TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX hour_exceptions_link ON hour_exceptions (link_id, on_date);
