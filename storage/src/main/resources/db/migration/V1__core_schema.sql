-- CityBrain core schema, plain PostgreSQL 15+. TimescaleDB features are added by V2 (Java) when the extension exists.
-- Every statement is re-runnable (IF NOT EXISTS / OR REPLACE). Tables that become hypertables have every unique key
-- include their time column.

-- ---------------------------------------------------------------- registry (filled from seeds/, idempotently)
CREATE TABLE IF NOT EXISTS district (
  code        text PRIMARY KEY,
  name_zh     text NOT NULL,
  name_en     text NOT NULL,
  lat         double precision NOT NULL,
  lon         double precision NOT NULL,
  area_km2    double precision NOT NULL CHECK (area_km2 > 0),
  population  bigint NOT NULL CHECK (population >= 0)
);

CREATE TABLE IF NOT EXISTS metric_kind (
  id        text PRIMARY KEY,
  name      text NOT NULL,
  unit      text NOT NULL,
  min_value double precision NOT NULL,
  max_value double precision NOT NULL,
  category  text NOT NULL,
  CHECK (min_value < max_value)
);

CREATE TABLE IF NOT EXISTS department (
  id      text PRIMARY KEY,
  name_zh text NOT NULL,
  name_en text NOT NULL
);

CREATE TABLE IF NOT EXISTS case_category (
  category   text NOT NULL,
  subtype    text PRIMARY KEY,
  name_en    text NOT NULL,
  department text NOT NULL REFERENCES department (id),
  sla_hours  integer NOT NULL CHECK (sla_hours > 0)
);

CREATE TABLE IF NOT EXISTS camera_event_type (
  id           text PRIMARY KEY,
  name_zh      text NOT NULL,
  name_en      text NOT NULL,
  category     text NOT NULL,
  subtype      text NOT NULL REFERENCES case_category (subtype),
  creates_case boolean NOT NULL
);

CREATE TABLE IF NOT EXISTS device (
  device_id    text PRIMARY KEY,
  district     text NOT NULL REFERENCES district (code),
  kind         text NOT NULL,
  device_class text NOT NULL CHECK (device_class IN ('sensor', 'camera', 'actuator')),
  lat          double precision NOT NULL,
  lon          double precision NOT NULL,
  interval_s   integer NOT NULL CHECK (interval_s > 0),
  gateway_id   text
);
CREATE INDEX IF NOT EXISTS device_district_kind ON device (district, kind);

-- Last known liveness per device, maintained by the stream job's timers.
CREATE TABLE IF NOT EXISTS device_status (
  device_id    text PRIMARY KEY REFERENCES device (device_id) ON DELETE CASCADE,
  online       boolean NOT NULL,
  last_seen_at timestamptz,
  changed_at   timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS response_plan (
  plan_id       text PRIMARY KEY,
  name_zh       text NOT NULL,
  name_en       text NOT NULL,
  command_ttl_s integer NOT NULL CHECK (command_ttl_s > 0),
  definition    jsonb NOT NULL
);

-- What the registry was last synced from (fleet seed, scale, device count).
CREATE TABLE IF NOT EXISTS registry_meta (
  key        text PRIMARY KEY,
  value      text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------- raw telemetry (hypertables with TimescaleDB)
-- Identity of a message is (device_id, seq); event_time joins the key so the key is legal on a hypertable.
CREATE TABLE IF NOT EXISTS reading (
  device_id   text NOT NULL,
  seq         bigint NOT NULL,
  event_time  timestamptz NOT NULL,
  district    text NOT NULL,
  metric      text NOT NULL,
  value       double precision NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, seq, event_time)
);
CREATE INDEX IF NOT EXISTS reading_district_metric_time ON reading (district, metric, event_time DESC);

CREATE TABLE IF NOT EXISTS camera_event (
  device_id    text NOT NULL,
  seq          bigint NOT NULL,
  event_time   timestamptz NOT NULL,
  district     text NOT NULL,
  event_type   text NOT NULL,
  confidence   real NOT NULL,
  object_count integer NOT NULL,
  lat          double precision,
  lon          double precision,
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, seq, event_time)
);
CREATE INDEX IF NOT EXISTS camera_event_district_type_time ON camera_event (district, event_type, event_time DESC);

CREATE TABLE IF NOT EXISTS heartbeat (
  device_id   text NOT NULL,
  seq         bigint NOT NULL,
  event_time  timestamptz NOT NULL,
  district    text NOT NULL,
  battery_pct real,
  firmware    text,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, seq, event_time)
);

-- Anything that failed validation: never dropped, always with a reason and the raw bytes.
CREATE TABLE IF NOT EXISTS dead_letter (
  id          bigint GENERATED ALWAYS AS IDENTITY,
  received_at timestamptz NOT NULL DEFAULT now(),
  topic       text NOT NULL,
  district    text,
  reason      text NOT NULL,
  detail      text,
  payload     bytea NOT NULL,
  PRIMARY KEY (id, received_at)
);
CREATE INDEX IF NOT EXISTS dead_letter_reason_time ON dead_letter (reason, received_at DESC);

-- ---------------------------------------------------------------- stream job results
-- One row per (district, metric, window); upserted idempotently. resolution_s is 10 (live) or 60 (history).
CREATE TABLE IF NOT EXISTS district_metric (
  district     text NOT NULL,
  metric       text NOT NULL,
  resolution_s integer NOT NULL CHECK (resolution_s > 0),
  window_start timestamptz NOT NULL,
  count        bigint NOT NULL CHECK (count > 0),
  min          double precision NOT NULL,
  max          double precision NOT NULL,
  sum          double precision NOT NULL,
  mean         double precision NOT NULL,
  p95          double precision,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (district, metric, resolution_s, window_start)
);

CREATE TABLE IF NOT EXISTS district_event_count (
  district     text NOT NULL,
  event_type   text NOT NULL,
  resolution_s integer NOT NULL CHECK (resolution_s > 0),
  window_start timestamptz NOT NULL,
  count        bigint NOT NULL CHECK (count >= 0),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (district, event_type, resolution_s, window_start)
);

-- The latest snapshot per district, as published on its retained live topic.
CREATE TABLE IF NOT EXISTS district_snapshot (
  district        text PRIMARY KEY REFERENCES district (code),
  window_end      timestamptz NOT NULL,
  situation_index double precision,
  online_rate     double precision,
  snapshot        jsonb NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS alert (
  alert_id      text PRIMARY KEY,
  rule_id       text NOT NULL,
  district      text NOT NULL REFERENCES district (code),
  metric        text NOT NULL,
  severity      text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  state         text NOT NULL CHECK (state IN ('raised', 'cleared')),
  value         double precision NOT NULL,
  threshold     double precision NOT NULL,
  raised_at     timestamptz NOT NULL,
  cleared_at    timestamptz,
  clear_value   double precision
);
-- One open alert per (rule, district), as the design promises.
CREATE UNIQUE INDEX IF NOT EXISTS alert_one_open_per_rule ON alert (rule_id, district) WHERE state = 'raised';
CREATE INDEX IF NOT EXISTS alert_district_raised ON alert (district, raised_at DESC);

CREATE TABLE IF NOT EXISTS incident (
  incident_id      text PRIMARY KEY,
  pattern_id       text NOT NULL,
  district         text NOT NULL REFERENCES district (code),
  severity         text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  state            text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'responding', 'closed')),
  started_at       timestamptz NOT NULL,
  detected_at      timestamptz NOT NULL,
  summary          text NOT NULL,
  evidence         jsonb NOT NULL DEFAULT '[]',
  response_plan_id text REFERENCES response_plan (plan_id),
  alert_ids        text[] NOT NULL DEFAULT '{}',
  closed_at        timestamptz
);
CREATE INDEX IF NOT EXISTS incident_district_detected ON incident (district, detected_at DESC);

-- ---------------------------------------------------------------- linked responses
CREATE TABLE IF NOT EXISTS plan_run (
  run_id      text PRIMARY KEY,
  plan_id     text NOT NULL REFERENCES response_plan (plan_id),
  incident_id text REFERENCES incident (incident_id),
  district    text NOT NULL REFERENCES district (code),
  -- The coordinator's client request id: repeating a trigger returns the same run.
  request_id  text NOT NULL UNIQUE,
  actor       text NOT NULL,
  state       text NOT NULL CHECK (state IN ('running', 'completed', 'partially_failed', 'cancelled')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);

CREATE TABLE IF NOT EXISTS command (
  command_id  text PRIMARY KEY,
  run_id      text REFERENCES plan_run (run_id),
  device_id   text NOT NULL,
  district    text NOT NULL,
  action      text NOT NULL,
  params      jsonb NOT NULL DEFAULT '{}',
  state       text NOT NULL CHECK (state IN ('pending', 'sent', 'accepted', 'done', 'failed', 'rejected',
                                             'timed_out', 'cancelled')),
  attempts    integer NOT NULL DEFAULT 0,
  issued_at   timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  detail      text
);
CREATE INDEX IF NOT EXISTS command_run ON command (run_id);

-- Every state change of every command, in order.
CREATE TABLE IF NOT EXISTS command_event (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  command_id text NOT NULL REFERENCES command (command_id),
  state      text NOT NULL,
  at         timestamptz NOT NULL DEFAULT now(),
  detail     text
);

CREATE TABLE IF NOT EXISTS department_task (
  task_id     text PRIMARY KEY,
  run_id      text NOT NULL REFERENCES plan_run (run_id),
  department  text NOT NULL REFERENCES department (id),
  task        text NOT NULL,
  state       text NOT NULL CHECK (state IN ('assigned', 'acknowledged', 'done', 'cancelled')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------- grid governance cases
CREATE TABLE IF NOT EXISTS grid_case (
  case_id          text PRIMARY KEY,
  district         text NOT NULL REFERENCES district (code),
  category         text NOT NULL,
  subtype          text NOT NULL REFERENCES case_category (subtype),
  source           text NOT NULL CHECK (source IN ('camera', 'citizen', 'grid_worker')),
  state            text NOT NULL CHECK (state IN ('discovered', 'dispatched', 'handling', 'resolved', 'confirmed',
                                                  'reopened', 'closed')),
  department       text NOT NULL REFERENCES department (id),
  lat              double precision,
  lon              double precision,
  description      text,
  detections       integer NOT NULL DEFAULT 1 CHECK (detections >= 1),
  created_at       timestamptz NOT NULL,
  due_at           timestamptz NOT NULL,
  last_detected_at timestamptz,
  resolved_at      timestamptz,
  confirmed_at     timestamptz,
  closed_at        timestamptz,
  rating           smallint CHECK (rating BETWEEN 1 AND 5),
  feedback         text
);
CREATE INDEX IF NOT EXISTS grid_case_district_state ON grid_case (district, state);

CREATE TABLE IF NOT EXISTS grid_case_history (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id    text NOT NULL REFERENCES grid_case (case_id),
  from_state text,
  to_state   text NOT NULL,
  actor      text NOT NULL,
  at         timestamptz NOT NULL DEFAULT now(),
  note       text
);
CREATE INDEX IF NOT EXISTS grid_case_history_case ON grid_case_history (case_id, at);

-- ---------------------------------------------------------------- accounting and audit
-- received = stored + duplicates + late + rejected, per district (DESIGN.md). counter names the term; reason
-- breaks 'rejected' down ('' for the others).
CREATE TABLE IF NOT EXISTS pipeline_accounting (
  district   text NOT NULL,
  counter    text NOT NULL CHECK (counter IN ('received', 'stored', 'duplicate', 'late', 'rejected')),
  reason     text NOT NULL DEFAULT '',
  value      bigint NOT NULL DEFAULT 0 CHECK (value >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (district, counter, reason)
);

-- Every command attempt, allowed or denied; append-only (the trigger below refuses UPDATE and DELETE).
CREATE TABLE IF NOT EXISTS audit_log (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  actor      text NOT NULL,
  action     text NOT NULL,
  target     text,
  district   text,
  request_id text,
  outcome    text NOT NULL,
  detail     jsonb
);
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at DESC);

CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END;
$fn$;

CREATE OR REPLACE TRIGGER audit_log_no_update_delete
  BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE OR REPLACE TRIGGER audit_log_no_truncate
  BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
