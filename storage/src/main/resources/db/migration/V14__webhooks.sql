-- Outbound webhooks (#15 "Notifications"). Events come from the database itself: triggers on alert, incident
-- and work_event write one notification_event row per event inside the writer's own transaction, so the stream
-- job (alerts, incidents) and the API (people's moves, escalation) each produce an event exactly once, and a
-- rolled-back write produces none. The API fans each event out to the matching subscriptions and sends it.

-- work_event also records grid cases' escalation (V15 writes kind 'case'); widened here so the trigger below
-- and V15 do not depend on which lands first. Same name as the inline CHECK of V13, so either may redo it.
ALTER TABLE work_event DROP CONSTRAINT IF EXISTS work_event_kind_check;
ALTER TABLE work_event ADD CONSTRAINT work_event_kind_check CHECK (kind IN ('alert', 'incident', 'task', 'case'));

CREATE TABLE IF NOT EXISTS notification_event (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  type       text NOT NULL CHECK (type IN ('alert.raised', 'alert.escalated', 'alert.resolved', 'incident.opened',
                                           'incident.closed', 'task.overdue', 'case.overdue')),
  district   text NOT NULL,
  item_kind  text NOT NULL,
  item_id    text NOT NULL,
  payload    jsonb NOT NULL,
  at         timestamptz NOT NULL DEFAULT now(),
  -- Set once the API has made the event's deliveries: committed events not yet fanned out are found by this,
  -- whatever order their ids committed in (an id taken earlier can commit later).
  fanned_out boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS notification_event_pending ON notification_event (id) WHERE NOT fanned_out;

CREATE OR REPLACE FUNCTION notification_event_add(p_type text, p_district text, p_item_kind text,
                                                  p_item_id text, p_payload jsonb) RETURNS void LANGUAGE sql AS $fn$
  INSERT INTO notification_event (type, district, item_kind, item_id, payload)
  VALUES (p_type, p_district, p_item_kind, p_item_id, p_payload);
$fn$;

-- alert.raised once per row inserted (the job's raise is ON CONFLICT DO NOTHING: a replayed raise inserts
-- nothing and fires nothing); a clear stored before its raise inserts the alert cleared: raised, then resolved.
CREATE OR REPLACE FUNCTION alert_notify() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  was_done boolean := TG_OP = 'UPDATE' AND (OLD.handling = 'resolved' OR OLD.state = 'cleared');
  is_done boolean := NEW.handling = 'resolved' OR NEW.state = 'cleared';
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM notification_event_add('alert.raised', NEW.district, 'alert', NEW.alert_id, to_jsonb(NEW));
  END IF;
  -- Resolved by people or cleared by the job, whichever comes first; the other (and a replayed clear) is
  -- no second event.
  IF is_done AND NOT was_done THEN
    PERFORM notification_event_add('alert.resolved', NEW.district, 'alert', NEW.alert_id,
      to_jsonb(NEW) || jsonb_build_object('resolution', CASE WHEN NEW.state = 'cleared' THEN 'cleared' ELSE 'resolved' END));
  END IF;
  RETURN NULL;
END
$fn$;
CREATE OR REPLACE TRIGGER alert_notify AFTER INSERT OR UPDATE OF state, handling ON alert
  FOR EACH ROW EXECUTE FUNCTION alert_notify();

CREATE OR REPLACE FUNCTION incident_notify() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM notification_event_add('incident.opened', NEW.district, 'incident', NEW.incident_id,
      to_jsonb(NEW) - 'evidence');
  ELSIF NEW.state = 'closed' AND OLD.state IS DISTINCT FROM 'closed' THEN
    PERFORM notification_event_add('incident.closed', NEW.district, 'incident', NEW.incident_id,
      to_jsonb(NEW) - 'evidence');
  END IF;
  RETURN NULL;
END
$fn$;
CREATE OR REPLACE TRIGGER incident_notify AFTER INSERT OR UPDATE OF state ON incident
  FOR EACH ROW EXECUTE FUNCTION incident_notify();

-- Escalations and reminders are work_event rows (append-only): an alert escalated, a task or case overdue.
CREATE OR REPLACE FUNCTION work_event_notify() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  event_type text := CASE
    WHEN NEW.action = 'escalated' AND NEW.kind = 'alert' THEN 'alert.escalated'
    WHEN NEW.action = 'overdue' AND NEW.kind = 'task' THEN 'task.overdue'
    WHEN NEW.action = 'overdue' AND NEW.kind = 'case' THEN 'case.overdue'
  END;
  body jsonb := to_jsonb(NEW) || jsonb_build_object('work_event_id', NEW.id);
BEGIN
  IF event_type IS NULL THEN
    RETURN NULL;
  END IF;
  IF NEW.kind = 'alert' THEN
    body := body || coalesce((SELECT jsonb_build_object('rule_id', a.rule_id, 'metric', a.metric,
                                                        'severity', a.severity, 'state', a.state,
                                                        'handling', a.handling, 'assignee', a.assignee)
                              FROM alert a WHERE a.alert_id = NEW.item_id), '{}');
  END IF;
  PERFORM notification_event_add(event_type, NEW.district, NEW.kind, NEW.item_id, body - 'id');
  RETURN NULL;
END
$fn$;
CREATE OR REPLACE TRIGGER work_event_notify AFTER INSERT ON work_event
  FOR EACH ROW WHEN (NEW.action IN ('escalated', 'overdue')) EXECUTE FUNCTION work_event_notify();

-- Who gets what: an admin's subscription to event types, in some districts (empty: all). The secret signs
-- every delivery (HMAC-SHA256); it is shown once, at creation. A subscription gets the events created after it.
CREATE TABLE IF NOT EXISTS webhook_subscription (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name       text NOT NULL,
  url        text NOT NULL,
  secret     text NOT NULL,
  events     text[] NOT NULL CHECK (cardinality(events) > 0),
  districts  text[] NOT NULL DEFAULT '{}',
  active     boolean NOT NULL DEFAULT true,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_by text,
  deleted_at timestamptz
);

-- One delivery per (subscription, event), whatever the number of API processes fanning out.
CREATE TABLE IF NOT EXISTS webhook_delivery (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subscription_id bigint NOT NULL REFERENCES webhook_subscription (id),
  event_id        bigint NOT NULL REFERENCES notification_event (id),
  state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  -- When the next attempt is due; while an attempt is out, when its claim lapses (its process died).
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_attempt_at timestamptz,
  last_status     integer,
  last_error      text,
  delivered_at    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subscription_id, event_id)
);
CREATE INDEX IF NOT EXISTS webhook_delivery_due ON webhook_delivery (next_attempt_at) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS webhook_delivery_recent ON webhook_delivery (subscription_id, id DESC);

-- Every attempt and its outcome: the HTTP status, or why there was none.
CREATE TABLE IF NOT EXISTS webhook_attempt (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id bigint NOT NULL REFERENCES webhook_delivery (id),
  attempt     integer NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  status      integer,
  error       text,
  duration_ms integer NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_attempt_delivery ON webhook_attempt (delivery_id, attempt);
