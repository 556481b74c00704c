DROP INDEX practice_links_pending;
ALTER TABLE practice_links DROP COLUMN accepted_by;
ALTER TABLE practice_links DROP COLUMN accepted_at;
