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

-- A case's words: all of them (search, indexed for the inbox) and its title's (search_title,
-- for similar cases). akar's INSERT computes both in the statement, whose plan (akar_words
-- inlined) is prepared once per connection; generated columns would cost twice as much, since
-- PostgreSQL prepares their expressions anew for every row. The trigger fills them for any
-- other writer, and again whenever a title or description changes.
ALTER TABLE cases ADD COLUMN search tsvector, ADD COLUMN search_title tsvector;

CREATE FUNCTION cases_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP = 'INSERT' AND (NEW.search IS NULL OR NEW.search_title IS NULL))
       OR (TG_OP = 'UPDATE' AND (NEW.title IS DISTINCT FROM OLD.title
                                 OR NEW.description IS DISTINCT FROM OLD.description)) THEN
        NEW.search := akar_words(NEW.title || ' ' || NEW.description);
        NEW.search_title := akar_words(NEW.title);
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER cases_words BEFORE INSERT OR UPDATE OF title, description ON cases
    FOR EACH ROW EXECUTE FUNCTION cases_words();

UPDATE cases SET search = akar_words(title || ' ' || description), search_title = akar_words(title);
ALTER TABLE cases ALTER COLUMN search SET NOT NULL, ALTER COLUMN search_title SET NOT NULL;
CREATE INDEX cases_search ON cases USING gin (search);
