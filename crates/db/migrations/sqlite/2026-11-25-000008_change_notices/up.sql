-- PostgreSQL announces changes to sessions, people and memberships to every app server
-- (see the PostgreSQL migration of the same name). On SQLite, each server watches the
-- file's data version instead, which moves on any commit by any process. Nothing to
-- create here; the step keeps both engines' migration lists the same.
SELECT 1;
