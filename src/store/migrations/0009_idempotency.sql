-- akar schema 9: Idempotency-Key on the API's POSTs. A key is kept per caller (scope: a user,
-- or for anonymous callers the route) with a hash of what was sent (method, path and body) and
-- what is needed to answer a retry as the first request was answered: the status, the id of
-- what was created or changed, and the answer's body sealed with the server key (it may hold
-- a case's access key). The record is written in the transaction of the change itself, so
-- a retry never makes a second change; records older than 24 hours count as gone.
CREATE TABLE idempotency (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    result_id BIGINT,
    response TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_by_age ON idempotency (created_at);
