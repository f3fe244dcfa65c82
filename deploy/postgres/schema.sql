-- The audit log of Workforce Picture on PostgreSQL: its tables and the triggers that keep it
-- append-only.  Run ONCE, as the role that is to OWN the tables (not the app's role, not a
-- superuser), in the app's database, then grants.sql:
--
--     psql "postgresql://workforce_owner@HOST/workforce" -v ON_ERROR_STOP=1 -f schema.sql
--
-- What the database itself enforces (core/audit/postgres.py is the writer):
--   * audit.log is append-only: UPDATE, DELETE and TRUNCATE are refused by triggers, for every
--     role (the owner can disable a trigger: keep the owner's credentials away from the app);
--   * an entry is added only at the end of the chain: its number is the head's plus one and its
--     prev_hash the head's hash;
--   * audit.head is one row (the last entry's number and hash, sealed with the app's key, which
--     the database never holds): it moves forward by exactly one, to an entry that exists; its
--     first seal (entry 0, `workforce audit init`) is set once.
-- The keyed hashes themselves (HMAC-SHA256 chained from 64 zeros) are checked by
-- `workforce audit verify`: without the key nobody can rewrite the chain unnoticed.

CREATE SCHEMA audit;

CREATE TABLE audit.log (
    seq bigint PRIMARY KEY CHECK (seq > 0),
    at text NOT NULL,
    user_email text NOT NULL,
    role text,
    event text NOT NULL CHECK (event IN ('view', 'shown', 'download', 'denied', 'change')),
    page text NOT NULL,
    what text,
    filters text NOT NULL,
    rows bigint,
    cells_suppressed bigint,
    prev_hash text NOT NULL,
    hash text NOT NULL UNIQUE
);

CREATE TABLE audit.head (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    seq bigint NOT NULL CHECK (seq >= 0),
    hash text NOT NULL,
    mac text  -- NULL until `workforce audit init` seals entry 0 with the key
);
INSERT INTO audit.head (seq, hash) VALUES (0, repeat('0', 64));

-- audit.log: nothing changed or removed, by anyone.
CREATE FUNCTION audit.refuse_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only (% refused on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER log_no_update BEFORE UPDATE ON audit.log
    FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER log_no_delete BEFORE DELETE ON audit.log
    FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER log_no_truncate BEFORE TRUNCATE ON audit.log
    FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();

-- audit.log: an entry only at the end of the chain.
CREATE FUNCTION audit.at_the_end() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    last audit.head%ROWTYPE;
BEGIN
    SELECT * INTO last FROM audit.head;
    IF last.mac IS NULL THEN
        RAISE EXCEPTION 'the audit log was not started (run `workforce audit init`)';
    END IF;
    IF NEW.seq <> last.seq + 1 OR NEW.prev_hash <> last.hash THEN
        RAISE EXCEPTION 'entry % does not follow the head (entry %)', NEW.seq, last.seq
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER log_at_the_end BEFORE INSERT ON audit.log
    FOR EACH ROW EXECUTE FUNCTION audit.at_the_end();

-- audit.head: one row, moving forward by one to an entry that exists.
CREATE FUNCTION audit.head_forward() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NEW.one IS DISTINCT FROM OLD.one OR NEW.mac IS NULL THEN
        RAISE EXCEPTION 'the audit head keeps its one row and its seal';
    END IF;
    IF OLD.mac IS NULL AND OLD.seq = 0 AND NEW.seq = 0 AND NEW.hash = OLD.hash THEN
        RETURN NEW;  -- the first seal, by `workforce audit init`
    END IF;
    IF OLD.mac IS NULL OR NEW.seq <> OLD.seq + 1 OR NOT EXISTS (
        SELECT 1 FROM audit.log WHERE seq = NEW.seq AND hash = NEW.hash
    ) THEN
        RAISE EXCEPTION 'the audit head moves forward by one entry, to an entry of the log'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER head_forward BEFORE UPDATE ON audit.head
    FOR EACH ROW EXECUTE FUNCTION audit.head_forward();
CREATE TRIGGER head_no_insert BEFORE INSERT ON audit.head
    FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER head_no_delete BEFORE DELETE ON audit.head
    FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER head_no_truncate BEFORE TRUNCATE ON audit.head
    FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();

-- Nobody but the owner and the roles of grants.sql: nothing for PUBLIC.
REVOKE ALL ON SCHEMA audit FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA audit FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA audit FROM PUBLIC;
