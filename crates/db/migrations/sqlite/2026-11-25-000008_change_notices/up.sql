-- PostgreSQL announces changes to sessions, people and memberships to every app server
-- (see the PostgreSQL migration of the same name). SQLite has no announcements; its
-- servers read a counter that triggers move (see change_counter). Nothing to create
-- here; the step keeps both engines' migration lists the same.
SELECT 1;
