-- The operations loop: what people do about alerts, incidents and department tasks, beside what the job
-- detects. The job keeps writing alert.state (raised/cleared) and inserting incidents; the columns below
-- belong to the command API.

-- Alerts: handled by people (new -> acknowledged -> resolved), assigned to a user or a department.
ALTER TABLE alert ADD COLUMN IF NOT EXISTS handling text NOT NULL DEFAULT 'new'
  CHECK (handling IN ('new', 'acknowledged', 'resolved'));
ALTER TABLE alert ADD COLUMN IF NOT EXISTS acknowledged_by text;
ALTER TABLE alert ADD COLUMN IF NOT EXISTS acknowledged_at timestamptz;
ALTER TABLE alert ADD COLUMN IF NOT EXISTS assignee text;
ALTER TABLE alert ADD COLUMN IF NOT EXISTS assigned_at timestamptz;
ALTER TABLE alert ADD COLUMN IF NOT EXISTS resolved_by text;
ALTER TABLE alert ADD COLUMN IF NOT EXISTS resolved_at timestamptz;
-- The work list: alerts nobody has resolved yet, per district.
CREATE INDEX IF NOT EXISTS alert_unhandled ON alert (district, raised_at DESC) WHERE handling <> 'resolved';

-- Incidents: open -> acknowledged -> responding -> resolved -> closed, with who and when. The state CHECK
-- was created inline (its name is PostgreSQL's choice), so it is found by what it checks.
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT conname FROM pg_constraint
           WHERE conrelid = 'incident'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%state%'
  LOOP
    EXECUTE format('ALTER TABLE incident DROP CONSTRAINT %I', r.conname);
  END LOOP;
END
$$;
ALTER TABLE incident ADD CONSTRAINT incident_state_check
  CHECK (state IN ('open', 'acknowledged', 'responding', 'resolved', 'closed'));
ALTER TABLE incident ADD COLUMN IF NOT EXISTS acknowledged_by text;
ALTER TABLE incident ADD COLUMN IF NOT EXISTS acknowledged_at timestamptz;
ALTER TABLE incident ADD COLUMN IF NOT EXISTS resolved_by text;
ALTER TABLE incident ADD COLUMN IF NOT EXISTS resolved_at timestamptz;
ALTER TABLE incident ADD COLUMN IF NOT EXISTS closed_by text;

-- Department tasks: assigned -> accepted -> in_progress -> done | failed; cancelled with their run.
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT conname FROM pg_constraint
           WHERE conrelid = 'department_task'::regclass AND contype = 'c'
             AND pg_get_constraintdef(oid) LIKE '%state%'
  LOOP
    EXECUTE format('ALTER TABLE department_task DROP CONSTRAINT %I', r.conname);
  END LOOP;
END
$$;
UPDATE department_task SET state = 'accepted' WHERE state = 'acknowledged';
ALTER TABLE department_task ADD CONSTRAINT department_task_state_check
  CHECK (state IN ('assigned', 'accepted', 'in_progress', 'done', 'failed', 'cancelled'));

-- Every move of an alert, incident or task, by whom and why, in order: the items' history.
CREATE TABLE IF NOT EXISTS work_event (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind       text NOT NULL CHECK (kind IN ('alert', 'incident', 'task')),
  item_id    text NOT NULL,
  district   text NOT NULL,
  action     text NOT NULL,
  from_state text,
  to_state   text,
  actor      text NOT NULL,
  at         timestamptz NOT NULL DEFAULT now(),
  note       text
);
CREATE INDEX IF NOT EXISTS work_event_item ON work_event (kind, item_id, id);
