DROP TRIGGER network_events_announced ON network_events;
DROP FUNCTION rondom_announce_event();
