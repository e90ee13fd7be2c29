-- The school owner (api.md: School owner statistics): the roster's district
-- (a municipality or county) and its administrators, who see numbers, never
-- children.
CREATE TABLE districts (
    id uuid PRIMARY KEY,
    source_id text UNIQUE,
    name text NOT NULL
);

ALTER TABLE schools ADD COLUMN district_id uuid REFERENCES districts (id) ON DELETE SET NULL;
CREATE INDEX schools_district ON schools (district_id) WHERE district_id IS NOT NULL;

-- A roster user with an administrator role at a district org (OneRoster
-- districtAdministrator, or administrator at an org of type district).
CREATE TABLE district_administrators (
    person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    district_id uuid NOT NULL REFERENCES districts (id) ON DELETE CASCADE,
    PRIMARY KEY (person_id, district_id)
);
CREATE INDEX district_administrators_district ON district_administrators (district_id);
