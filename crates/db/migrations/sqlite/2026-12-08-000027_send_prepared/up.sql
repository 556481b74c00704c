-- PostgreSQL runs two statements of a send as functions (see the migration of the same
-- name there); SQLite prepares its statements in the process, without a round trip.
-- Nothing to create; the step keeps both engines' migration lists the same.
SELECT 1;
