DROP TABLE consent_answers;
DROP TABLE network_members;
DROP TABLE networks;
