-- A questionnaire version may be a draft (issue 25): imported with `--draft`, tried by an
-- auditor in the bot (`/preview N`), and only then published (`datatool questionnaire publish
-- N`). `published_at` NULL is a draft; a draft is never the current questionnaire, is never
-- exported as it, and no respondent is ever asked it. Every version stored before drafts
-- existed was published when it was stored.
ALTER TABLE questionnaire_versions ADD COLUMN published_at TEXT;
UPDATE questionnaire_versions SET published_at = created_at;

-- An invitee's group is any audience the questionnaire names (officers, elected members, the
-- corporate management team, ...), checked against the current questionnaire at roster import,
-- so the column keeps only "not empty". SQLite cannot drop a CHECK with ALTER TABLE: its own
-- documented way for removing a CHECK is to edit the table's stored definition (the rows'
-- format does not change), then change the schema once more so that every open connection
-- reads it again.
-- dialect: sqlite
PRAGMA writable_schema = ON;
UPDATE sqlite_master
SET sql = replace(sql, 'CHECK (grp IN (''officer'', ''member''))', 'CHECK (grp <> '''')')
WHERE type = 'table' AND name = 'invitees';
PRAGMA writable_schema = RESET;
CREATE TABLE schema_reread (x INTEGER);
DROP TABLE schema_reread;
-- dialect: postgresql
-- Whatever the CHECK on grp is called (`invitees_grp_check` as 0001 made it).
DO $$
DECLARE
  name TEXT;
BEGIN
  FOR name IN
    SELECT conname FROM pg_constraint
    WHERE conrelid = 'invitees'::regclass AND contype = 'c'
      AND pg_get_constraintdef(oid) LIKE '%grp%officer%'
  LOOP
    EXECUTE format('ALTER TABLE invitees DROP CONSTRAINT %I', name);
  END LOOP;
END $$;
ALTER TABLE invitees ADD CONSTRAINT invitees_grp_check CHECK (grp <> '');
-- dialect: all
