-- Escalation, reminders and SLAs (the command API's leader scans for them; see command-api README). The job keeps
-- writing alert.severity (its rule's); what the API escalates to goes in escalated_severity beside it.

-- Alerts: the effective severity once escalated, how many levels up the chain, and when the last escalation and
-- reminder went out (the next deadline and reminder count from those).
ALTER TABLE alert ADD COLUMN IF NOT EXISTS escalated_severity text
  CHECK (escalated_severity IN ('low', 'medium', 'high', 'critical'));
ALTER TABLE alert ADD COLUMN IF NOT EXISTS escalation_level integer NOT NULL DEFAULT 0 CHECK (escalation_level >= 0);
ALTER TABLE alert ADD COLUMN IF NOT EXISTS escalated_at timestamptz;
ALTER TABLE alert ADD COLUMN IF NOT EXISTS last_reminded_at timestamptz;

-- Department tasks: due at the run's start plus the task's SLA (seeds); overdue once, then reminded. Tasks stored
-- before V15 have no due_at: the scan takes created_at plus the default SLA for them.
ALTER TABLE department_task ADD COLUMN IF NOT EXISTS due_at timestamptz;
ALTER TABLE department_task ADD COLUMN IF NOT EXISTS overdue_at timestamptz;
ALTER TABLE department_task ADD COLUMN IF NOT EXISTS last_reminded_at timestamptz;
ALTER TABLE department_task ADD COLUMN IF NOT EXISTS escalation_level integer NOT NULL DEFAULT 0
  CHECK (escalation_level >= 0);
CREATE INDEX IF NOT EXISTS department_task_unfinished ON department_task (created_at)
  WHERE state IN ('assigned', 'accepted', 'in_progress');

-- Grid cases: due_at comes from the sub-type's SLA already; overdue once.
ALTER TABLE grid_case ADD COLUMN IF NOT EXISTS overdue_at timestamptz;
ALTER TABLE grid_case ADD COLUMN IF NOT EXISTS escalation_level integer NOT NULL DEFAULT 0
  CHECK (escalation_level >= 0);
CREATE INDEX IF NOT EXISTS grid_case_open_due ON grid_case (due_at)
  WHERE state IN ('discovered', 'dispatched', 'handling', 'reopened');

-- A grid case's overdue is a work_event of kind 'case'. V14 (webhooks) widens the kind CHECK the same way; whichever
-- runs first does it, the other finds 'case' allowed and leaves the CHECK as it is (it may allow more kinds).
DO $$
DECLARE r record;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint
                 WHERE conrelid = 'work_event'::regclass AND contype = 'c'
                   AND pg_get_constraintdef(oid) LIKE '%kind%' AND pg_get_constraintdef(oid) LIKE '%''case''%') THEN
    FOR r IN SELECT conname FROM pg_constraint
             WHERE conrelid = 'work_event'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%kind%'
    LOOP
      EXECUTE format('ALTER TABLE work_event DROP CONSTRAINT %I', r.conname);
    END LOOP;
    ALTER TABLE work_event ADD CONSTRAINT work_event_kind_check
      CHECK (kind IN ('alert', 'incident', 'task', 'case'));
  END IF;
END
$$;
