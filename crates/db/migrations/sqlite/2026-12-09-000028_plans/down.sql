DROP INDEX networks_coordinator;
DROP TABLE plan_responses;
DROP TABLE plan_actions;
DROP TABLE plan_versions;
DROP TABLE plans;
