-- The auditor's own words on a council's report (`datatool notes import`, issue 22): one row
-- per section paragraph (kind 'section', item = the section's id) or recommendation choice
-- (kind 'recommendation', item = the recommendation's id). An import replaces the council's
-- rows in one transaction.
CREATE TABLE report_notes (
  council_id INTEGER NOT NULL REFERENCES councils(id),
  kind TEXT NOT NULL CHECK (kind IN ('section', 'recommendation')),
  item TEXT NOT NULL,
  action TEXT CHECK (action IN ('keep', 'reword', 'drop')),   -- NULL for a section
  text_en TEXT NOT NULL DEFAULT '',
  text_cy TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (council_id, kind, item)
);

-- The versions made to publish (`datatool report COUNCIL --final`): the release each rests
-- on, its date, and what it was made from (the auditor's notes and the report input without
-- respondents' comments, which are read from the release again), so that it can be made
-- again, identical, later.
CREATE TABLE final_reports (
  id INTEGER PRIMARY KEY,
  council_id INTEGER NOT NULL REFERENCES councils(id),
  release_id INTEGER NOT NULL REFERENCES releases(id),
  made_on TEXT NOT NULL,                 -- YYYY-MM-DD (Europe/London), the date it is stamped with
  notes TEXT NOT NULL,                   -- the notes, as JSON
  input TEXT NOT NULL,                   -- the report input, as JSON, without comments
  made_at TEXT NOT NULL
);
CREATE INDEX final_reports_by_release ON final_reports (council_id, release_id);
