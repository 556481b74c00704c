-- Claiming a place in the audit log in one round trip: the lock of the first free chain
-- (all taken: wait for one, spread by backend), `n` sequence numbers under it, and the
-- chain's last entry, which the new entries link to. The last entry must be read after
-- the lock is held: a single SQL statement reads with the snapshot of its start, from
-- before the lock, and could miss the entry of the transaction that held the lock and
-- committed in between. A PL/pgSQL function takes a fresh snapshot for each statement in
-- it (READ COMMITTED), so the read below sees every entry committed under the lock.
-- The hash of the new entries is still computed by the app: the database never holds
-- the audit key.
-- It answers one record (not a set), so the app calls it as a typed function that stays
-- prepared on the connection.
CREATE FUNCTION rondom_audit_claim(n INTEGER, chains INTEGER, OUT chain INTEGER,
    OUT seqs BIGINT[], OUT last_seq BIGINT, OUT last_hash TEXT)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    k INTEGER;
BEGIN
    SELECT c INTO k FROM generate_series(0, chains - 1) AS c
        WHERE pg_try_advisory_xact_lock(7513, c) LIMIT 1;
    IF k IS NULL THEN
        k := pg_backend_pid() % chains;
        PERFORM pg_advisory_xact_lock(7513, k);
    END IF;
    chain := k;
    seqs := ARRAY(SELECT nextval('audit_log_seq') FROM generate_series(1, n));
    SELECT a.seq, a.hash INTO last_seq, last_hash FROM audit_log AS a
        WHERE a.chain = k ORDER BY a.seq DESC LIMIT 1;
END
$$;
