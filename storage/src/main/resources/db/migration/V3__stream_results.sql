-- What the stream job adds (the Stream jobs issue).

-- Readings later than the watermark minus the allowed lateness are stored raw but left out of the aggregates; the flag
-- lets a batch recomputation from the raw rows leave them out too (aggregates = recomputation, DESIGN.md).
ALTER TABLE reading      ADD COLUMN IF NOT EXISTS late boolean NOT NULL DEFAULT false;
ALTER TABLE camera_event ADD COLUMN IF NOT EXISTS late boolean NOT NULL DEFAULT false;
ALTER TABLE heartbeat    ADD COLUMN IF NOT EXISTS late boolean NOT NULL DEFAULT false;

-- The city summary ("one key knows the whole picture"): one row, replaced at every 10 s window.
CREATE TABLE IF NOT EXISTS city_summary (
  id              smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  window_end      timestamptz NOT NULL,
  situation_index double precision,
  online_rate     double precision,
  summary         jsonb NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Liveness changes over time (device_status holds only the latest), for the wall's outage view and audits.
CREATE TABLE IF NOT EXISTS device_liveness_change (
  device_id  text NOT NULL,
  district   text NOT NULL,
  online     boolean NOT NULL,
  at         timestamptz NOT NULL,
  PRIMARY KEY (device_id, at, online)
);
CREATE INDEX IF NOT EXISTS device_liveness_change_district_at ON device_liveness_change (district, at);
