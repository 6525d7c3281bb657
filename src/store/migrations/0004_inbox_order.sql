-- akar schema 4: inboxes that list settled cases too (open=all, or a status such as closed) read
-- one index range in deadline order; case_scope's primary key puts `open` first, so without
-- this index such a page sorted every case of the subtree.
CREATE INDEX case_scope_due ON case_scope (unit_id, due_at, case_id);
