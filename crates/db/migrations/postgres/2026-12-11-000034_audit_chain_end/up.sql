-- The claim's read of its chain's last entry is planned for the chain it asks about.
-- As a static statement in PL/pgSQL it was a prepared plan with the chain as a
-- parameter, and after five calls PostgreSQL keeps the generic plan: with nearly every
-- entry in chain 0 (one writer at a time always gets the first free chain) that plan
-- walks the primary key backwards and filters on the chain, which finds chain 0 at
-- once but reads the whole log for any other chain (584 ms at a million entries, held
-- under the chain's lock). Planned with the chain as a value, the chain's own index is
-- used wherever the chain is rare.
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
    EXECUTE format('SELECT a.seq, a.hash FROM audit_log AS a WHERE a.chain = %s '
                   'ORDER BY a.seq DESC LIMIT 1', k)
        INTO last_seq, last_hash;
END
$$;
