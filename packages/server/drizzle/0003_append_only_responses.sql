-- A completed response is never changed or deleted: corrections are new rows that supersede it.
-- An in-progress response (autosaved answers) may be updated, and completed once. The single
-- exception is the erasure path, which sets `rapport.erasure = 'on'` for its own transaction.
CREATE OR REPLACE FUNCTION rapport_protect_completed_response() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('rapport.erasure', true), '') = 'on' THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  IF OLD.status = 'completed' THEN
    RAISE EXCEPTION 'completed responses are append-only' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER responses_append_only BEFORE UPDATE OR DELETE ON responses
  FOR EACH ROW EXECUTE FUNCTION rapport_protect_completed_response();
