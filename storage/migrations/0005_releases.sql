-- Releases: what the reports show. A release is a snapshot of which submitted responses count
-- for a council, with the figures it showed (only the shown groups' counts, each resting on at
-- least MIN_GROUP_SIZE people) and, per (group, team) and question, how many were asked and how
-- many gave a view, which the check between releases needs. No answer of any one person.
CREATE TABLE releases (
  id INTEGER PRIMARY KEY,
  council_id INTEGER NOT NULL REFERENCES councils(id),
  made_at TEXT NOT NULL,
  responses INTEGER NOT NULL,            -- submitted responses counted (frozen)
  final INTEGER NOT NULL DEFAULT 0,      -- 1 = made at or after the survey's close
  min_group_size INTEGER NOT NULL
);
CREATE INDEX releases_by_council ON releases (council_id, id);
-- Who counts in a release; a withdrawal (/forget) removes the person from here too, while the
-- release's figures (release_figures) stay as they were released.
CREATE TABLE release_members (
  release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
  response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
  PRIMARY KEY (release_id, response_id)
) WITHOUT ROWID;
CREATE INDEX release_members_by_response ON release_members (response_id);
CREATE TABLE release_groups (
  release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
  grp TEXT NOT NULL,
  team TEXT NOT NULL,                    -- '' = no team
  respondents INTEGER NOT NULL,
  PRIMARY KEY (release_id, grp, team)
) WITHOUT ROWID;
CREATE TABLE release_sizes (
  release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
  grp TEXT NOT NULL,
  team TEXT NOT NULL,
  question_id TEXT NOT NULL,
  asked INTEGER NOT NULL,
  views INTEGER NOT NULL,
  PRIMARY KEY (release_id, question_id, grp, team)
) WITHOUT ROWID;
-- The cells (groups) shown per question: 'all', 'officer', 'member', 'team:<group>:<team>'.
-- For a free-text question, 'all' means its comments are shown.
CREATE TABLE release_cells (
  release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
  question_id TEXT NOT NULL,
  cell TEXT NOT NULL,
  PRIMARY KEY (release_id, question_id, cell)
) WITHOUT ROWID;
CREATE TABLE release_figures (
  release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
  question_id TEXT NOT NULL,
  cell TEXT NOT NULL,
  choice TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (release_id, question_id, cell, choice)
) WITHOUT ROWID;
