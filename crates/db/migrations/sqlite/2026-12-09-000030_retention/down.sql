DROP TABLE removals;
DROP TABLE deletion_requests;
DROP TABLE retention_terms;
