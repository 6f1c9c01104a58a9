-- Versions in use (issue 25): a response is pinned to the questionnaire version it is answered
-- under, set once when its row is made and never changed. NULL: the packaged questionnaire
-- (`rubric/questionnaire.toml`), which every response made before the first import answers.
ALTER TABLE responses ADD COLUMN questionnaire_version INTEGER REFERENCES questionnaire_versions(id);
