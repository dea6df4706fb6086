-- Acks a standby API stores for the leader are capped per topic (one topic per device): the cap's
-- count must not scan the whole inbox.
CREATE INDEX IF NOT EXISTS command_ack_inbox_topic ON command_ack_inbox (topic);
