-- akar schema 5: a signed-in resident's own petitions (the web's "My petitions") are one index
-- range, newest first, rather than a scan of every case.
CREATE INDEX cases_by_creator ON cases (created_by, id) WHERE created_by IS NOT NULL;
