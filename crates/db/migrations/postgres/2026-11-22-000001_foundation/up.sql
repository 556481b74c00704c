CREATE TABLE districts (
    code TEXT NOT NULL PRIMARY KEY,
    gemeente_code TEXT NOT NULL,
    name TEXT NOT NULL
);
CREATE TABLE organisations (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    agb_code TEXT UNIQUE,
    gemeente_code TEXT NOT NULL,
    wijk_code TEXT REFERENCES districts(code),
    street TEXT NOT NULL,
    house_number TEXT NOT NULL,
    postcode TEXT NOT NULL,
    city TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE TABLE users (
    id TEXT NOT NULL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    family_role TEXT,
    totp_secret TEXT,
    totp_enabled BOOLEAN NOT NULL,
    totp_last_step BIGINT,
    is_demo BOOLEAN NOT NULL,
    disabled BOOLEAN NOT NULL,
    password_changed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE memberships (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE recovery_codes (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at TIMESTAMP
);
CREATE TABLE sessions (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    mfa_done BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    source_address TEXT,
    user_agent TEXT
);
CREATE TABLE api_tokens (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE TABLE password_resets (
    token_hash TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE TABLE login_throttle (
    key TEXT NOT NULL PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);
CREATE TABLE audit_log (
    seq BIGINT NOT NULL PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    actor_user_id TEXT,
    actor_name TEXT NOT NULL,
    actor_role TEXT,
    actor_organisation_id TEXT,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT,
    child_id TEXT,
    reason TEXT,
    source_address TEXT,
    outcome TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE UNIQUE INDEX memberships_unique ON memberships (user_id, organisation_id, role);
CREATE INDEX memberships_organisation ON memberships (organisation_id);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);
CREATE INDEX organisations_gemeente ON organisations (gemeente_code);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor_org ON audit_log (actor_organisation_id, seq);
CREATE INDEX audit_log_child ON audit_log (child_id, seq);
-- The audit log is append-only: the database itself refuses changes.
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
