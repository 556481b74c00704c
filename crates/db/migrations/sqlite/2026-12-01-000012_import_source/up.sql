-- Where an organisation or service came from when an HSDS import made it: an import
-- updates only what came from its own source (unless told to with --update), so a file
-- cannot overwrite a practice or another provider's records by carrying their ids.
ALTER TABLE organisations ADD COLUMN import_source TEXT;
ALTER TABLE services ADD COLUMN import_source TEXT;
