-- akar schema 11: a category's extra questions, asked of whoever submits a petition in it
-- (Open311's service attributes), and a case's answers to them. A question is one of Open311's
-- datatypes; the list types offer their choices (key, the value sent; name, what people read)
-- in their order. A case keeps its answers as one JSON object, {code: "value"} or, for a
-- multivaluelist, {code: ["key", ...]}, checked against the questions before it is written.
CREATE TABLE category_questions (
    category_id BIGINT NOT NULL REFERENCES categories (id),
    code TEXT NOT NULL,
    position INTEGER NOT NULL CHECK (position > 0),
    datatype TEXT NOT NULL CHECK (datatype IN ('string', 'number', 'datetime', 'text',
                                               'singlevaluelist', 'multivaluelist')),
    required INTEGER NOT NULL CHECK (required IN (0, 1)),
    label TEXT NOT NULL,
    description TEXT,
    PRIMARY KEY (category_id, code),
    UNIQUE (category_id, position)
);
CREATE TABLE category_question_choices (
    category_id BIGINT NOT NULL,
    question_code TEXT NOT NULL,
    position INTEGER NOT NULL CHECK (position > 0),
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (category_id, question_code, key),
    UNIQUE (category_id, question_code, position),
    FOREIGN KEY (category_id, question_code) REFERENCES category_questions (category_id, code)
);
ALTER TABLE cases ADD COLUMN answers TEXT;
