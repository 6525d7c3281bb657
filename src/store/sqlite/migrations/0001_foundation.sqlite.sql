-- akar schema 1: settings, the unit tree, accounts and roles, sessions, the audit chain.
-- Times are Unix milliseconds, UTC.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE units (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    level      TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune', 'village')),
    parent_id  INTEGER REFERENCES units (id),
    path       TEXT NOT NULL UNIQUE,       -- '/58/586/586.03/': ancestors' codes, for subtree tests
    time_zone  TEXT NOT NULL,
    remote     INTEGER NOT NULL DEFAULT 0 CHECK (remote IN (0, 1)),
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX units_parent ON units (parent_id);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,           -- Argon2id, libsodium's encoded form
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE grants (
    user_id INTEGER NOT NULL REFERENCES users (id),
    role    TEXT NOT NULL CHECK (role IN ('resident', 'receptionist', 'handler', 'leader',
                                          'inspector', 'admin')),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    PRIMARY KEY (user_id, role, unit_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,           -- BLAKE2b-256 of the token; the token itself is never stored
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE audit (
    seq         INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    detail      TEXT NOT NULL,
    prev_hash   BLOB NOT NULL,
    hash        BLOB NOT NULL
) STRICT;
CREATE INDEX audit_action ON audit (action);

-- The audit log is append-only for akar itself: anything else has to drop these first.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
