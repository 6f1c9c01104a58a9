-- The questionnaire's versions (issue 25): each import of an XLSForm the auditors edited is
-- stored whole, validated, as JSON (`rubric.schema.Questionnaire`), numbered by `id`. A
-- version is never changed, only followed by a newer one; the newest is the one exported and
-- compared against at the next import. `label` is the form's own `version` setting.
CREATE TABLE questionnaire_versions (
  id INTEGER PRIMARY KEY,
  label TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL
);
