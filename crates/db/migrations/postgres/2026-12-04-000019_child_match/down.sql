DROP INDEX children_match_name;
DROP INDEX children_match_bsn;
ALTER TABLE children DROP COLUMN match_name;
ALTER TABLE children DROP COLUMN match_bsn;
