-- Command API (issue #6): the local user store, the camera-detection ledger behind grid cases, and case columns.
-- Re-runnable like V1 (IF NOT EXISTS).

-- Users of the API. Passwords are bcrypt hashes (never plain text); districts empty = every district.
CREATE TABLE IF NOT EXISTS api_user (
  username      text PRIMARY KEY CHECK (username ~ '^[a-z0-9_.-]{1,64}$'),
  password_hash text NOT NULL,
  role          text NOT NULL CHECK (role IN ('viewer', 'operator', 'coordinator', 'admin')),
  districts     text[] NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- Every camera detection the case poller has looked at, by its identity: polling overlaps its watermark (rows of a
-- long ingest transaction commit late with an early received_at) and this key makes a second look a no-op.
-- case_id is null for a detection that opened or joined no case (below the confidence floor).
CREATE TABLE IF NOT EXISTS grid_case_detection (
  device_id  text NOT NULL,
  seq        bigint NOT NULL,
  event_time timestamptz NOT NULL,
  case_id    text REFERENCES grid_case (case_id),
  PRIMARY KEY (device_id, seq, event_time)
);
CREATE INDEX IF NOT EXISTS grid_case_detection_case ON grid_case_detection (case_id);

-- How far background pollers have read (name -> position).
CREATE TABLE IF NOT EXISTS api_watermark (
  name       text PRIMARY KEY,
  position   timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Which camera event type opened a case (merging compares it), and who reported a citizen case.
ALTER TABLE grid_case ADD COLUMN IF NOT EXISTS event_type text;
ALTER TABLE grid_case ADD COLUMN IF NOT EXISTS reporter text;
CREATE INDEX IF NOT EXISTS grid_case_open_merge ON grid_case (district, event_type, last_detected_at DESC)
  WHERE state NOT IN ('resolved', 'confirmed', 'closed');
