-- Emergency access to a child's network without the family's consent (a safety concern,
-- meldcode): who, why (a reason from the list and in their own words), and until when.
CREATE TABLE emergency_access (
    id TEXT NOT NULL PRIMARY KEY,
    network_id TEXT NOT NULL REFERENCES networks(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    reason_code TEXT NOT NULL,
    reason_text TEXT NOT NULL,
    opened_at TIMESTAMP NOT NULL,
    until TIMESTAMP NOT NULL
);
CREATE INDEX emergency_access_network ON emergency_access (network_id, user_id, until);
