-- The case rates are read from the cases' history (CaseStats): each case's latest move is found by this index.
-- Without it PostgreSQL may walk the whole history backwards by id for every case: 92 s at 19,068 cases and
-- 102,645 moves in a ten-minute demo, 65 ms with it.
CREATE INDEX IF NOT EXISTS grid_case_history_latest ON grid_case_history (case_id, id);
