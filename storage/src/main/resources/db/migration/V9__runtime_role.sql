-- The role the API and the stream job connect as: it logs in with a password set outside this migration
-- (citybrain migrate), is no superuser and owns nothing, so it cannot drop or disable the audit log's
-- triggers. Its privileges are granted after every migration (RuntimeRole.grant), so tables that later
-- migrations add are covered too. Role names are cluster-wide: a second database, or a second migration
-- running at the same moment, finds the role there and leaves it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${runtime_role}') THEN
    BEGIN
      CREATE ROLE "${runtime_role}" NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END;
  END IF;
END
$$;
