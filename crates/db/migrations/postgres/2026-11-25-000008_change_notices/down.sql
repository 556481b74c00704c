DROP TRIGGER directory_version_changed ON directory_version;
DROP TRIGGER organisations_changed ON organisations;
DROP TRIGGER memberships_changed ON memberships;
DROP TRIGGER users_changed ON users;
DROP TRIGGER sessions_changed ON sessions;
DROP FUNCTION rondom_notify_change();
