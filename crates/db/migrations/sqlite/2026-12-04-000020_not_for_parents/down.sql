DROP INDEX network_members_organisation;
DROP TABLE network_milestones;
DROP INDEX networks_coordinator_org;
DROP TABLE not_for_parents;
