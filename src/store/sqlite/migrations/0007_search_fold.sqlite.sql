-- akar schema 7: the full-text index folds "đ" into "d" itself (its tokenizer keeps the two
-- apart, so every query asked for each spelling of each word, and matched twice the entries),
-- and keeps no word positions (detail=column: a query is words, never phrases), a third
-- smaller. The folding is built-in SQL in a view, so any SQLite client can still write cases;
-- 'rebuild' at the end indexes the cases of an existing database anew (about a minute for a
-- million cases).

DROP TRIGGER cases_fts_insert;
DROP TRIGGER cases_fts_update;
DROP TABLE cases_fts;

-- What the index holds of a case: its title and description with "đ" and "Đ" written "d".
CREATE VIEW cases_search (id, title, description) AS
    SELECT id, replace(replace(title, 'Đ', 'd'), 'đ', 'd'),
           replace(replace(description, 'Đ', 'd'), 'đ', 'd')
    FROM cases;

CREATE VIRTUAL TABLE cases_fts USING fts5 (
    title, description, content = 'cases_search', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2', detail = column
);

-- An entry is taken out with the very values it went in with: before a change (or a deletion)
-- the view still shows them.
CREATE TRIGGER cases_search_insert AFTER INSERT ON cases BEGIN
    INSERT INTO cases_fts (rowid, title, description)
        SELECT id, title, description FROM cases_search WHERE id = new.id;
END;
CREATE TRIGGER cases_search_unindex BEFORE UPDATE OF title, description ON cases
    WHEN old.title IS NOT new.title OR old.description IS NOT new.description
BEGIN
    INSERT INTO cases_fts (cases_fts, rowid, title, description)
        SELECT 'delete', id, title, description FROM cases_search WHERE id = old.id;
END;
CREATE TRIGGER cases_search_reindex AFTER UPDATE OF title, description ON cases
    WHEN old.title IS NOT new.title OR old.description IS NOT new.description
BEGIN
    INSERT INTO cases_fts (rowid, title, description)
        SELECT id, title, description FROM cases_search WHERE id = new.id;
END;
CREATE TRIGGER cases_search_delete BEFORE DELETE ON cases BEGIN
    INSERT INTO cases_fts (cases_fts, rowid, title, description)
        SELECT 'delete', id, title, description FROM cases_search WHERE id = old.id;
END;

INSERT INTO cases_fts (cases_fts) VALUES ('rebuild');
