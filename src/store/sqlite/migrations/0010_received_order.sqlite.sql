-- akar schema 10: Open311's query (GET requests) lists a subtree's cases received within a
-- window, newest first. case_scope (one row per case and unit above it) carries each case's
-- received_at, so that case_scope_received reads a subtree's window in that order, one index
-- range, rather than sorting every case of the subtree.
ALTER TABLE case_scope ADD COLUMN received_at INTEGER NOT NULL DEFAULT 0;
UPDATE case_scope SET received_at = (SELECT c.received_at FROM cases c
                                     WHERE c.id = case_scope.case_id);
CREATE INDEX case_scope_received ON case_scope (unit_id, received_at, case_id);
-- The Atom feed of a subtree reads the newest public events of all cases first, each checked
-- against the subtree, and sorts the subtree's own only when they hold too few of its events.
CREATE INDEX case_events_public ON case_events (at, id) WHERE public_note IS NOT NULL;
