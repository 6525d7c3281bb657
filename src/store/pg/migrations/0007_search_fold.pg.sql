-- akar schema 7 (PostgreSQL): full-text search over cases, finding what SQLite's FTS5 index
-- finds: words split at anything but letters and digits, lower case, without diacritics,
-- "đ" written "d". unaccent does the folding (a trusted extension: the database's owner may
-- create it); akar_fold pins its dictionary so the index expression is immutable.
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;

CREATE FUNCTION akar_fold(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN lower(public.unaccent('public.unaccent'::regdictionary,
                                 replace(replace(t, 'Đ', 'd'), 'đ', 'd')));

-- The words of a text as a tsvector of the 'simple' configuration (no stemming, no stop words):
-- every run of letters and digits is a word, as for FTS5's unicode61 tokenizer.
CREATE FUNCTION akar_words(t text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN to_tsvector('simple'::regconfig,
                       regexp_replace(akar_fold(t), '[^[:alnum:]]+', ' ', 'g'));

ALTER TABLE cases ADD COLUMN search tsvector
    GENERATED ALWAYS AS (akar_words(title || ' ' || description)) STORED;
ALTER TABLE cases ADD COLUMN search_title tsvector
    GENERATED ALWAYS AS (akar_words(title)) STORED;
CREATE INDEX cases_search ON cases USING gin (search);
