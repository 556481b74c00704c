-- Every event of a network is news for the servers' live streams ("network N has
-- news", nothing more: the content is read from the database with its access checked).
-- The database announces it as the event is stored, at commit and not on rollback:
-- one round trip less per send than a separate pg_notify, and no writer of events can
-- forget it. PostgreSQL folds the same announcement made twice in one transaction.
CREATE FUNCTION rondom_announce_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('rondom_news', NEW.network_id);
    IF NEW.kind = 'membership' AND NEW.user_id IS NOT NULL THEN
        PERFORM pg_notify('rondom_news', 'user:' || NEW.user_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER network_events_announced AFTER INSERT ON network_events
    FOR EACH ROW EXECUTE FUNCTION rondom_announce_event();
