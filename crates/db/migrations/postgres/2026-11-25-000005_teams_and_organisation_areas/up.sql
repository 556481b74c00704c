-- Teams inside an organisation (a social team's wijkteams, a provider's team for young
-- children), with the professionals in them, and the areas an organisation covers as a
-- whole (its services inherit them unless they name their own).
CREATE TABLE teams (
    id TEXT NOT NULL PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    phone TEXT,
    email TEXT,
    last_checked_on TEXT NOT NULL
);
CREATE INDEX teams_organisation ON teams (organisation_id);

CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

-- kind and code as in service_areas.
CREATE TABLE organisation_areas (
    id TEXT NOT NULL PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    code TEXT NOT NULL
);
CREATE INDEX organisation_areas_organisation ON organisation_areas (organisation_id);
