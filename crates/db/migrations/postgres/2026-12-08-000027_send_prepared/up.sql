-- Two statements of a send that diesel never keeps prepared: an UPDATE, and an insert
-- that updates on conflict (their shape could vary, diesel reasons). On PostgreSQL each
-- was parsed anew at every send, a round trip more under the conversation's lock.
-- Called as typed functions they stay prepared on the connection.

-- The conversation's last number and time, moved by a send.
CREATE FUNCTION rondom_conversation_moved(conversation TEXT, seq BIGINT, at TIMESTAMP)
RETURNS INTEGER LANGUAGE sql VOLATILE AS $$
    WITH moved AS (
        UPDATE conversations SET last_seq = seq, last_at = at
        WHERE id = conversation RETURNING 1
    )
    SELECT count(*)::INTEGER FROM moved
$$;

-- The senders' read marks, each set to their own latest message.
CREATE FUNCTION rondom_read_marks(conversation TEXT, readers TEXT[], seqs BIGINT[],
    at TIMESTAMP)
RETURNS INTEGER LANGUAGE sql VOLATILE AS $$
    WITH marked AS (
        INSERT INTO conversation_reads (conversation_id, user_id, seq, read_at)
        SELECT conversation, r.reader, r.seq, at FROM unnest(readers, seqs) AS r(reader, seq)
        ON CONFLICT (conversation_id, user_id)
        DO UPDATE SET seq = excluded.seq, read_at = excluded.read_at
        RETURNING 1
    )
    SELECT count(*)::INTEGER FROM marked
$$;
