-- A social team's link to a practice takes effect once the practice agrees: its admin
-- accepts it, or (when both work in the same municipality) it is active at once and the
-- practice's admins are told. Links made before this rule were made by hand and stand.
ALTER TABLE practice_links ADD COLUMN accepted_at TIMESTAMP;
ALTER TABLE practice_links ADD COLUMN accepted_by TEXT;
UPDATE practice_links SET accepted_at = created_at;
CREATE INDEX practice_links_pending ON practice_links (practice_id, accepted_at);
