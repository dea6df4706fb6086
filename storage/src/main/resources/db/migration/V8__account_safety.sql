-- Account safety (issue #13): revocable tokens, disabled users, idempotency keys scoped to their caller.
-- Re-runnable like V1 (IF NOT EXISTS).

-- Every token carries the version its user had when it was issued; a password, role or scope change, or a
-- disable, bumps the version and so ends every token issued before.
ALTER TABLE api_user ADD COLUMN IF NOT EXISTS token_version integer NOT NULL DEFAULT 1;
-- A disabled user cannot log in and its tokens are refused.
ALTER TABLE api_user ADD COLUMN IF NOT EXISTS disabled boolean NOT NULL DEFAULT false;
ALTER TABLE api_user ADD COLUMN IF NOT EXISTS updated_at timestamptz;

-- A request id is the caller's own: unique per (actor, request_id), not city-wide, so another caller's id neither
-- collides with nor returns your run. request_hash is the SHA-256 of the request's canonical JSON: the same id with
-- another request is refused (422) instead of answering the first run.
ALTER TABLE plan_run ADD COLUMN IF NOT EXISTS request_hash text;
ALTER TABLE plan_run DROP CONSTRAINT IF EXISTS plan_run_request_id_key;
CREATE UNIQUE INDEX IF NOT EXISTS plan_run_actor_request ON plan_run (actor, request_id);
