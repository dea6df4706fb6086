-- Plans that cannot fight each other (#15, command-api README "Linked responses"): a run may wait for a second
-- coordinator's approval (awaiting_approval, then rejected or on), wait behind an overlapping run (queued), and a
-- cancel lasts until the devices answer (the run and its commands are cancelling meanwhile). The inline CHECKs of
-- V1 carry PostgreSQL's default names; dropped and made again with the new words (a later migration that widens
-- them again must keep these).
ALTER TABLE plan_run DROP CONSTRAINT IF EXISTS plan_run_state_check;
ALTER TABLE plan_run ADD CONSTRAINT plan_run_state_check
  CHECK (state IN ('running', 'completed', 'partially_failed', 'cancelled', 'cancelling', 'queued',
                   'awaiting_approval', 'rejected'));

ALTER TABLE command DROP CONSTRAINT IF EXISTS command_state_check;
ALTER TABLE command ADD CONSTRAINT command_state_check
  CHECK (state IN ('pending', 'sent', 'accepted', 'done', 'failed', 'rejected', 'timed_out', 'cancelled',
                   'cancelling'));

-- Who decided on a run that needed approval, when, and why (a rejection's reason); when it was first sent.
ALTER TABLE plan_run ADD COLUMN IF NOT EXISTS decided_by text;
ALTER TABLE plan_run ADD COLUMN IF NOT EXISTS decided_at timestamptz;
ALTER TABLE plan_run ADD COLUMN IF NOT EXISTS decision_reason text;
ALTER TABLE plan_run ADD COLUMN IF NOT EXISTS started_at timestamptz;
UPDATE plan_run SET started_at = created_at WHERE started_at IS NULL;

-- The trigger rate limits count a district's and a caller's runs of the last minute.
CREATE INDEX IF NOT EXISTS plan_run_district_created ON plan_run (district, created_at);
CREATE INDEX IF NOT EXISTS plan_run_actor_created ON plan_run (actor, created_at);
-- Runs holding their targets (the overlap check) and the queue the leader promotes from.
CREATE INDEX IF NOT EXISTS plan_run_holding ON plan_run (district, created_at)
  WHERE state IN ('running', 'cancelling', 'queued', 'awaiting_approval');
DROP INDEX IF EXISTS plan_run_running;
CREATE INDEX IF NOT EXISTS plan_run_running ON plan_run (created_at) WHERE state IN ('running', 'cancelling');
