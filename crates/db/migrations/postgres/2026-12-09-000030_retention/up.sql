-- Retention (Jeugdwet 7.3.8 and 7.3.9). A youth-help file is kept 20 years from the end
-- of help unless a longer term is set (`retention_terms`); a family may ask for its
-- destruction (`deletion_requests`), which the case director carries out where the law
-- allows or refuses with the reason. What was removed, when and why is kept
-- (`removals`): the child's content goes, the fact of its removal stays.
CREATE TABLE retention_terms (
    child_id TEXT NOT NULL PRIMARY KEY REFERENCES children(id),
    keep_until DATE NOT NULL,
    reason TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at TIMESTAMP NOT NULL
);

CREATE TABLE deletion_requests (
    id TEXT NOT NULL PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES children(id),
    network_id TEXT NOT NULL REFERENCES networks(id),
    requested_by TEXT NOT NULL REFERENCES users(id),
    requested_at TIMESTAMP NOT NULL,
    -- What the family wrote (sealed), if anything.
    note_sealed TEXT,
    -- requested, carried_out, refused
    state TEXT NOT NULL,
    decided_by TEXT REFERENCES users(id),
    decided_at TIMESTAMP,
    decision_reason TEXT
);
CREATE INDEX deletion_requests_child ON deletion_requests (child_id);

CREATE TABLE removals (
    id TEXT NOT NULL PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES children(id),
    -- term (the retention term passed) or request (the family's request)
    basis TEXT NOT NULL,
    removed_by TEXT NOT NULL,
    removed_at TIMESTAMP NOT NULL,
    -- What went, in numbers ("3 verwijzingen, 12 berichten, 2 planversies").
    summary TEXT NOT NULL
);
CREATE UNIQUE INDEX removals_child ON removals (child_id);
