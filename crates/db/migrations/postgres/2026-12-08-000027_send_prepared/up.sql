-- Two statements of a send that diesel never keeps prepared: an UPDATE, and an insert
-- that updates on conflict (their shape could vary, diesel reasons). On PostgreSQL each
-- was parsed anew at every send, a round trip more under the conversation's lock.
-- Called as typed functions they stay prepared on the connection.

-- PL/pgSQL, not SQL: PostgreSQL 15 plans an SQL function's body anew at every call,
-- while PL/pgSQL keeps the plans of its statements for the session.

-- The conversation's last number and time, moved by a send.
CREATE FUNCTION rondom_conversation_moved(conversation TEXT, new_seq BIGINT,
    new_at TIMESTAMP)
RETURNS INTEGER LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    moved INTEGER;
BEGIN
    UPDATE conversations SET last_seq = new_seq, last_at = new_at WHERE id = conversation;
    GET DIAGNOSTICS moved = ROW_COUNT;
    RETURN moved;
END
$$;

-- The senders' read marks, each set to their own latest message.
CREATE FUNCTION rondom_read_marks(conversation TEXT, readers TEXT[], seqs BIGINT[],
    new_at TIMESTAMP)
RETURNS INTEGER LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    marked INTEGER;
BEGIN
    INSERT INTO conversation_reads AS r (conversation_id, user_id, seq, read_at)
    SELECT conversation, m.reader, m.upto, new_at FROM unnest(readers, seqs) AS m(reader, upto)
    ON CONFLICT (conversation_id, user_id)
    DO UPDATE SET seq = excluded.seq, read_at = excluded.read_at;
    GET DIAGNOSTICS marked = ROW_COUNT;
    RETURN marked;
END
$$;
