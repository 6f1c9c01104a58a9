-- Versions in use (issue 25): a response is pinned to the questionnaire version it is answered
-- under, set once when its row is made and never changed. NULL: the packaged questionnaire
-- (`rubric/questionnaire.toml`), which every response made before the first import answers.
ALTER TABLE responses ADD COLUMN questionnaire_version INTEGER REFERENCES questionnaire_versions(id);

-- Rounds: a council's survey run again (`datatool survey open COUNCIL --round 2027`), each
-- on the questionnaire version newest when it opened (NULL: the packaged one). The window of
-- the council's current round is its `survey_windows` row. A council's window from before
-- rounds becomes its first round, labelled with the year it opened (or closed), its
-- `created_at` NULL: such a round pins no version (someone who starts answers the newest).
CREATE TABLE rounds (
  id INTEGER PRIMARY KEY,
  council_id INTEGER NOT NULL REFERENCES councils(id),
  label TEXT NOT NULL CHECK (label <> ''),
  questionnaire_version INTEGER REFERENCES questionnaire_versions(id),
  created_at TEXT,
  UNIQUE (council_id, label)
);
INSERT INTO rounds (council_id, label)
  SELECT council_id, COALESCE(substr(opens_on, 1, 4), substr(closed_at, 1, 4),
    substr(closes_on, 1, 4), '1')
  FROM survey_windows;
