-- Every app server keeps the sessions it served a moment ago in memory, and drops those
-- copies when what a session is built from changes (see change_notices). SQLite has no
-- announcements: each server's watcher reads this counter instead, which these triggers
-- move on every change to those tables, whichever process makes it. (The file's data
-- version moved on every commit, the audit log's too, so under load the copies were
-- dropped faster than they were used.)
CREATE TABLE change_counter (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    changes INTEGER NOT NULL
);
INSERT INTO change_counter (id, changes) VALUES (1, 0);

CREATE TRIGGER sessions_insert_counted AFTER INSERT ON sessions
BEGIN
    UPDATE change_counter SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER sessions_update_counted AFTER UPDATE ON sessions
BEGIN
    UPDATE change_counter SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER sessions_delete_counted AFTER DELETE ON sessions
BEGIN
    UPDATE change_counter SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER users_insert_counted AFTER INSERT ON users
BEGIN
    UPDATE change_counter SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER users_update_counted AFTER UPDATE ON users
BEGIN
    UPDATE change_counter SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER users_delete_counted AFTER DELETE ON users
BEGIN
    UPDATE change_counter SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER memberships_insert_counted AFTER INSERT ON memberships
BEGIN
    UPDATE change_counter SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER memberships_update_counted AFTER UPDATE ON memberships
BEGIN
    UPDATE change_counter SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER memberships_delete_counted AFTER DELETE ON memberships
BEGIN
    UPDATE change_counter SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER organisations_insert_counted AFTER INSERT ON organisations
BEGIN
    UPDATE change_counter SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER organisations_update_counted AFTER UPDATE ON organisations
BEGIN
    UPDATE change_counter SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER organisations_delete_counted AFTER DELETE ON organisations
BEGIN
    UPDATE change_counter SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER directory_version_insert_counted AFTER INSERT ON directory_version
BEGIN
    UPDATE change_counter SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER directory_version_update_counted AFTER UPDATE ON directory_version
BEGIN
    UPDATE change_counter SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER directory_version_delete_counted AFTER DELETE ON directory_version
BEGIN
    UPDATE change_counter SET changes = changes + 1 WHERE id = 1;
END;
