-- akar schema 6: a second factor for officials. Each account may hold a TOTP secret (RFC 6238),
-- sealed with the server key like reporters' identities; it is confirmed by the first code
-- accepted, and the last time step accepted is kept so that no code is accepted twice.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_confirmed INTEGER NOT NULL DEFAULT 0
    CHECK (totp_confirmed IN (0, 1));
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
