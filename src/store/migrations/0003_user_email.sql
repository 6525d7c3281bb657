-- akar schema 3: an e-mail address per account, where the deadline sweep warns leaders.
ALTER TABLE users ADD COLUMN email TEXT;
