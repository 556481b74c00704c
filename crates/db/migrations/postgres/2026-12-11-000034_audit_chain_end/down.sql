-- Back to the claim as migration 000026 made it.
CREATE OR REPLACE FUNCTION rondom_audit_claim(n INTEGER, chains INTEGER, OUT chain INTEGER,
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
