-- Sociale kaart: the offer (aanbod) of organisations, with target group, access route,
-- cost and the current waiting time.
CREATE TABLE services (
    id TEXT NOT NULL PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    category TEXT NOT NULL,
    access_route TEXT NOT NULL,
    age_min INTEGER NOT NULL,
    age_max INTEGER NOT NULL,
    problem_areas TEXT NOT NULL,
    cost TEXT,
    wait_weeks INTEGER,
    wait_reported_on TEXT,
    last_checked_on TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX services_organisation ON services (organisation_id);
