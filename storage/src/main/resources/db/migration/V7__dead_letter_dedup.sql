-- Dead letters are deduplicated on replay: one key per distinct (topic, payload), so a batch written again after a
-- restore adds no row and the accounting counts it as a duplicate, not as another rejection. A table of its own
-- rather than a unique index on dead_letter: on TimescaleDB dead_letter is a hypertable, whose unique indexes must
-- include received_at, and a replay arrives at another time.
-- key = sha256(topic in UTF-8 || 0x00 || payload); MQTT topics never contain U+0000.
CREATE TABLE IF NOT EXISTS dead_letter_key (
  key         bytea PRIMARY KEY CHECK (length(key) = 32),
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS dead_letter_key_received_at ON dead_letter_key (received_at);

INSERT INTO dead_letter_key (key, received_at)
SELECT sha256(convert_to(topic, 'UTF8') || '\x00'::bytea || payload), min(received_at)
FROM dead_letter GROUP BY 1
ON CONFLICT DO NOTHING;

-- The retention's delete (dead letters older than N days, on plain PostgreSQL too) by time alone.
CREATE INDEX IF NOT EXISTS dead_letter_received_at ON dead_letter (received_at);
