ALTER TABLE services DROP COLUMN import_source;
ALTER TABLE organisations DROP COLUMN import_source;
