DROP TABLE organisation_areas;
DROP TABLE team_members;
DROP TABLE teams;
