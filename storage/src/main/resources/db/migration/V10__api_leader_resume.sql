-- What a Command API process needs to resume another's runs (command-api/README.md, "Leader lease and resume"):
-- every attempt sent, with the digest its ack must name and when it was sent and expires; whether a command is
-- final (failed and timed_out may still be retried); a cancel asked of a process that does not track the run;
-- and the acks a process that is not the leader received, for the leader to apply.
CREATE TABLE IF NOT EXISTS command_attempt (
  command_id  text NOT NULL REFERENCES command (command_id),
  attempt     integer NOT NULL CHECK (attempt >= 1),
  digest      bytea NOT NULL,
  sent_at     timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (command_id, attempt)
);

ALTER TABLE command ADD COLUMN IF NOT EXISTS final boolean NOT NULL DEFAULT false;
UPDATE command SET final = true WHERE NOT final AND state IN ('done', 'rejected', 'cancelled');
-- Failed or timed out commands of runs already over are final too.
UPDATE command SET final = true
WHERE NOT final AND state IN ('failed', 'timed_out')
  AND run_id IN (SELECT run_id FROM plan_run WHERE state <> 'running');

ALTER TABLE plan_run ADD COLUMN IF NOT EXISTS cancel_requested_at timestamptz;
CREATE INDEX IF NOT EXISTS plan_run_running ON plan_run (created_at) WHERE state = 'running';

CREATE TABLE IF NOT EXISTS command_ack_inbox (
  id           bigserial PRIMARY KEY,
  topic        text NOT NULL,
  payload      bytea NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now()
);
