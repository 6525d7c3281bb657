-- akar schema 2: petitions (cases) end to end: departments and categories per unit, cases with
-- their deadline state and sealed reporter, the timeline, the subtree index behind inboxes,
-- full-text search, attachments, ratings, and the notification outbox.

CREATE TABLE departments (
    id      INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units (id),
    code    TEXT NOT NULL,
    name    TEXT NOT NULL,
    email   TEXT,                                -- where notifications for the department go
    UNIQUE (unit_id, code)
) STRICT;

CREATE TABLE categories (
    id            INTEGER PRIMARY KEY,
    unit_id       INTEGER NOT NULL REFERENCES units (id),  -- offered in this unit's subtree
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    department_id INTEGER REFERENCES departments (id),     -- competent for it
    UNIQUE (unit_id, code)
) STRICT;

CREATE TABLE cases (
    id              INTEGER PRIMARY KEY,
    tracking_code   TEXT NOT NULL UNIQUE,
    access_key_hash BLOB NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('feedback', 'recommendation', 'complaint',
                                                  'denunciation', 'information_request')),
    channel         TEXT NOT NULL CHECK (channel IN ('web', 'api', 'open311', 'reception',
                                                     'paper', 'phone')),
    status          TEXT NOT NULL,
    unit_id         INTEGER NOT NULL REFERENCES units (id),  -- the unit competent now
    category_id     INTEGER REFERENCES categories (id),
    department_id   INTEGER REFERENCES departments (id),
    title           TEXT NOT NULL,
    description     TEXT NOT NULL,
    privacy         TEXT NOT NULL CHECK (privacy IN ('public', 'anonymous', 'confidential')),
    reporter        TEXT,                    -- JSON {name, phone, email, address}, when not sealed
    reporter_sealed TEXT,                    -- the same JSON sealed with the server key
    lat             REAL,
    lon             REAL,
    address         TEXT,
    handler_id      INTEGER REFERENCES users (id),
    step            TEXT NOT NULL,           -- the deadline step last started (accept, settle...)
    step_from       INTEGER NOT NULL,        -- when it started (ms)
    due_at          INTEGER NOT NULL,        -- when it ends (ms); kept after the case is settled
    open            INTEGER NOT NULL CHECK (open IN (0, 1)),  -- a deadline runs
    extensions      INTEGER NOT NULL DEFAULT 0,
    complex         INTEGER NOT NULL DEFAULT 0 CHECK (complex IN (0, 1)),
    remote          INTEGER NOT NULL DEFAULT 0 CHECK (remote IN (0, 1)),
    round           INTEGER NOT NULL DEFAULT 1,  -- 2 for a complaint brought a second time
    answer          TEXT,
    document        TEXT,
    merged_into     INTEGER REFERENCES cases (id),
    rating          INTEGER CHECK (rating BETWEEN 1 AND 5),
    rating_comment  TEXT,
    created_by      INTEGER REFERENCES users (id),  -- the receptionist or signed-in resident
    received_at     INTEGER NOT NULL,
    resolved_at     INTEGER,
    updated_at      INTEGER NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1      -- optimistic concurrency
) STRICT;
CREATE INDEX cases_merged_into ON cases (merged_into) WHERE merged_into IS NOT NULL;

-- Every unit a case lies under (its unit and each ancestor), with the case's deadline: an
-- inbox of any subtree is one index range, already in deadline order.
CREATE TABLE case_scope (
    unit_id INTEGER NOT NULL REFERENCES units (id),
    open    INTEGER NOT NULL,
    due_at  INTEGER NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    PRIMARY KEY (unit_id, open, due_at, case_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX case_scope_case ON case_scope (case_id);

CREATE TABLE case_events (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,           -- 'user:ID', 'reporter', 'system'
    action      TEXT NOT NULL,           -- submit, accept, ..., rate, reveal
    from_status TEXT,
    to_status   TEXT NOT NULL,
    reason      TEXT,                    -- for officials and inspectors
    public_note TEXT                     -- shown on the public timeline
) STRICT;
CREATE INDEX case_events_case ON case_events (case_id, id);

CREATE VIRTUAL TABLE cases_fts USING fts5 (
    title, description, content = 'cases', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases BEGIN
    INSERT INTO cases_fts (rowid, title, description) VALUES (new.id, new.title, new.description);
END;
CREATE TRIGGER cases_fts_update AFTER UPDATE OF title, description ON cases BEGIN
    INSERT INTO cases_fts (cases_fts, rowid, title, description)
        VALUES ('delete', old.id, old.title, old.description);
    INSERT INTO cases_fts (rowid, title, description) VALUES (new.id, new.title, new.description);
END;

CREATE TABLE attachments (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    sha256     TEXT NOT NULL,            -- the content's name in the blob directory
    media_type TEXT NOT NULL,            -- sniffed from the content
    size       INTEGER NOT NULL,
    filename   TEXT NOT NULL,            -- as given, for Content-Disposition only
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX attachments_case ON attachments (case_id);

-- Messages to deliver, written in the same transaction as the change they tell of.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    channel    TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    target     TEXT NOT NULL,            -- an address or a URL
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    case_id    INTEGER REFERENCES cases (id),
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    INTEGER NOT NULL,         -- when to try next (ms)
    sent_at    INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX outbox_due ON outbox (next_at) WHERE sent_at IS NULL;

CREATE TABLE webhooks (
    id      INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units (id),  -- fires for cases in this subtree
    url     TEXT NOT NULL,
    secret  TEXT NOT NULL                            -- HMAC-SHA256 key for the signature
) STRICT;

-- Which leaders were told that a case is about to become overdue, so the sweep tells once.
CREATE TABLE due_warnings (
    case_id INTEGER NOT NULL REFERENCES cases (id),
    due_at  INTEGER NOT NULL,
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (case_id, due_at)
) STRICT, WITHOUT ROWID;
