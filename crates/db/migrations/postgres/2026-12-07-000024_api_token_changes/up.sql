-- App servers now keep the API tokens they read a moment ago in memory, like sessions
-- (see change_notices): a token's revocation is announced to every server.
CREATE TRIGGER api_tokens_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION rondom_notify_change();
