-- Sociale kaart, second part: where organisations work (locations with coordinates),
-- which areas a service covers, contract and tariff details, people's working days,
-- last-checked dates everywhere, and the change history of every entry.
-- The postcode numbers of a wijk ("9901-9904,9910") and its centre, so that a postcode
-- typed in a search finds its wijk and gemeente and how near a service is.
ALTER TABLE districts ADD COLUMN postcodes TEXT;
ALTER TABLE districts ADD COLUMN latitude DOUBLE;
ALTER TABLE districts ADD COLUMN longitude DOUBLE;
ALTER TABLE organisations ADD COLUMN description TEXT;
ALTER TABLE organisations ADD COLUMN website TEXT;
ALTER TABLE organisations ADD COLUMN last_checked_on TEXT;
ALTER TABLE users ADD COLUMN job_title TEXT;
-- ISO weekdays, comma separated ("1,2,4" = maandag, dinsdag, donderdag).
ALTER TABLE users ADD COLUMN working_days TEXT;
ALTER TABLE users ADD COLUMN last_checked_on TEXT;
ALTER TABLE services ADD COLUMN tariff_cents INTEGER;
ALTER TABLE services ADD COLUMN tariff_unit TEXT;
-- CBS code of the contracting municipality and the contract period (yyyy-mm-dd).
ALTER TABLE services ADD COLUMN contracted_by TEXT;
ALTER TABLE services ADD COLUMN contract_from TEXT;
ALTER TABLE services ADD COLUMN contract_until TEXT;
ALTER TABLE services ADD COLUMN capacity INTEGER;

CREATE TABLE locations (
    id TEXT NOT NULL PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    street TEXT NOT NULL,
    house_number TEXT NOT NULL,
    postcode TEXT NOT NULL,
    city TEXT NOT NULL,
    country TEXT NOT NULL,
    latitude DOUBLE,
    longitude DOUBLE,
    last_checked_on TEXT NOT NULL
);
CREATE INDEX locations_organisation ON locations (organisation_id);

CREATE TABLE service_locations (
    service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    location_id TEXT NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
    PRIMARY KEY (service_id, location_id)
);
CREATE INDEX service_locations_location ON service_locations (location_id);

-- kind: 'gemeente' (code GM0000), 'wijk' (WK000000) or 'postcode' (a range "1000-1099"
-- of four-digit postcode numbers, or one number).
CREATE TABLE service_areas (
    id TEXT NOT NULL PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    code TEXT NOT NULL
);
CREATE INDEX service_areas_service ON service_areas (service_id);

-- Who changed which entry of the sociale kaart, when, and what (a Dutch summary of the
-- fields before and after). Kept when the entry itself is removed.
CREATE TABLE directory_changes (
    id TEXT NOT NULL PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    user_id TEXT,
    changed_at TIMESTAMP NOT NULL,
    summary TEXT NOT NULL
);
CREATE INDEX directory_changes_object ON directory_changes (object_id, changed_at);
CREATE INDEX directory_changes_organisation ON directory_changes (organisation_id, changed_at);

-- One row, bumped with every change to the sociale kaart in the same transaction: each
-- app server compares it with the version of its in-memory search index.
CREATE TABLE directory_version (
    id INTEGER NOT NULL PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO directory_version (id, version) VALUES (1, 0);
