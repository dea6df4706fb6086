-- The command API reads new camera detections by arrival (received_at) to open grid cases: without an index that is a
-- scan of every chunk of camera_event.
CREATE INDEX IF NOT EXISTS camera_event_type_received ON camera_event (event_type, received_at);
