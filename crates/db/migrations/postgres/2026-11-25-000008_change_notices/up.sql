-- Every app server keeps the sessions it served a moment ago in memory. A change to
-- what a session is built from (the session itself, its person, their memberships and
-- organisations, the sociale kaart's version) is announced to all servers, whichever
-- process made it (another server, or a `rondom admin` command), so they drop those
-- copies at once. NOTIFY is sent at commit, and not at all on rollback.
CREATE FUNCTION rondom_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('rondom_changes', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER sessions_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION rondom_notify_change();
CREATE TRIGGER users_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION rondom_notify_change();
CREATE TRIGGER memberships_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON memberships
    FOR EACH STATEMENT EXECUTE FUNCTION rondom_notify_change();
CREATE TRIGGER organisations_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organisations
    FOR EACH STATEMENT EXECUTE FUNCTION rondom_notify_change();
CREATE TRIGGER directory_version_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON directory_version
    FOR EACH STATEMENT EXECUTE FUNCTION rondom_notify_change();
