-- Keyed hashes (blind indexes) of a child's BSN and of their name with birth date, so
-- that a child in an existing network is recognised without the data being readable:
-- "who else is involved" tells a professional that a network exists, nothing more.
ALTER TABLE children ADD COLUMN match_bsn TEXT;
ALTER TABLE children ADD COLUMN match_name TEXT;
CREATE INDEX children_match_bsn ON children (match_bsn) WHERE match_bsn IS NOT NULL;
CREATE INDEX children_match_name ON children (match_name) WHERE match_name IS NOT NULL;
