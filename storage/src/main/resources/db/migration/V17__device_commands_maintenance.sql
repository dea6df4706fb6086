-- #15: single-device commands and maintenance windows.

-- A coordinator's one command to one device is a run of kind 'single': no plan, one target, the same
-- signing, tracking, retries, resume and audit as a plan's run.
ALTER TABLE plan_run ALTER COLUMN plan_id DROP NOT NULL;
-- The kind follows from the plan: a run without one is a single command (the API writes runs as before).
ALTER TABLE plan_run ADD COLUMN IF NOT EXISTS kind text
  GENERATED ALWAYS AS (CASE WHEN plan_id IS NULL THEN 'single' ELSE 'plan' END) STORED;

-- A maintenance window mutes raises in a district (every rule) or of one rule in a district. Alerts are per
-- (rule, district) and name no device, so there is no device scope: a device window would mute nothing.
-- Ending a window early (DELETE) sets cancelled_at and pulls ends_at back to then (never before starts_at:
-- a window cancelled before it started is empty).
CREATE TABLE IF NOT EXISTS maintenance_window (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  scope_kind   text NOT NULL CHECK (scope_kind IN ('district', 'rule')),
  scope_value  text NOT NULL,
  district     text NOT NULL REFERENCES district (code),
  starts_at    timestamptz NOT NULL,
  ends_at      timestamptz NOT NULL,
  reason       text NOT NULL,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  cancelled_at timestamptz,
  cancelled_by text,
  CHECK (ends_at >= starts_at),
  CHECK (scope_kind <> 'district' OR scope_value = district)
);
CREATE INDEX IF NOT EXISTS maintenance_window_district ON maintenance_window (district, ends_at);

-- A muted raise is recorded, not lost: the alert row is stored as the job wrote it, with the window that muted it.
ALTER TABLE alert ADD COLUMN IF NOT EXISTS suppressed_by bigint REFERENCES maintenance_window (id);
CREATE INDEX IF NOT EXISTS alert_suppressed ON alert (suppressed_by) WHERE suppressed_by IS NOT NULL;

-- Matched on the raise's event time (raised_at, the devices' clock), like everything else the job derives:
-- a replayed or late raise is muted or not the same way as the first time.
CREATE OR REPLACE FUNCTION alert_suppress() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF NEW.suppressed_by IS NULL THEN
    NEW.suppressed_by := (
      SELECT w.id FROM maintenance_window w
      WHERE w.district = NEW.district
        AND (w.scope_kind = 'district' OR (w.scope_kind = 'rule' AND w.scope_value = NEW.rule_id))
        AND NEW.raised_at >= w.starts_at AND NEW.raised_at < w.ends_at
      ORDER BY w.id LIMIT 1);
  END IF;
  RETURN NEW;
END
$fn$;
CREATE OR REPLACE TRIGGER alert_suppress BEFORE INSERT ON alert
  FOR EACH ROW EXECUTE FUNCTION alert_suppress();

-- V14's alert events, except for a muted alert: subscribers never hear it raised, so not resolved either.
CREATE OR REPLACE FUNCTION alert_notify() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  was_done boolean := TG_OP = 'UPDATE' AND (OLD.handling = 'resolved' OR OLD.state = 'cleared');
  is_done boolean := NEW.handling = 'resolved' OR NEW.state = 'cleared';
BEGIN
  IF NEW.suppressed_by IS NOT NULL THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    PERFORM notification_event_add('alert.raised', NEW.district, 'alert', NEW.alert_id, to_jsonb(NEW));
  END IF;
  IF is_done AND NOT was_done THEN
    PERFORM notification_event_add('alert.resolved', NEW.district, 'alert', NEW.alert_id,
      to_jsonb(NEW) || jsonb_build_object('resolution', CASE WHEN NEW.state = 'cleared' THEN 'cleared' ELSE 'resolved' END));
  END IF;
  RETURN NULL;
END
$fn$;
