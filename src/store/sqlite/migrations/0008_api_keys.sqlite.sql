-- akar schema 8: API keys of integrations. A key belongs to a unit and covers its subtree, for
-- reading cases (scope read) or also submitting them (write). Only the key's BLAKE2b-256 hash
-- is kept, with its first symbols (prefix) to tell keys apart in lists; a revoked key stays,
-- for the record. created_by is NULL for a key made on the command line.
CREATE TABLE api_keys (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES units (id),
    scope      TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    label      TEXT,
    prefix     TEXT NOT NULL,
    key_hash   BLOB NOT NULL UNIQUE,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;
CREATE INDEX api_keys_unit ON api_keys (unit_id);
