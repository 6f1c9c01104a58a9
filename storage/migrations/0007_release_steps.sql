-- Issue 27: the rule between releases made exact, erasure made true, a withdrawal confirmed by
-- the server, and Wales moved only in safe steps.

-- Who a release counted and has since withdrawn: no answer, no response, no name; a random key
-- per withdrawal (the same in every release that counted them), their group and team. The check
-- between releases needs to know that someone left, and from which releases; nothing more.
CREATE TABLE release_departed (
  release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
  departure TEXT NOT NULL,
  grp TEXT NOT NULL,
  team TEXT NOT NULL,
  PRIMARY KEY (release_id, departure)
) WITHOUT ROWID;

-- A final release that repeats the last release's figures (counting the late submissions
-- would have shown them): the release it repeats.
ALTER TABLE releases ADD COLUMN repeats INTEGER;

-- /forget asks first; the confirming tap counts only while this is set (the server showed it).
ALTER TABLE accounts ADD COLUMN forget_asked_at TEXT;

-- The Wales figures come from a Wales release: which release of each council it pools. A new
-- one is made only when enough councils have moved on (see reports.confidentiality).
CREATE TABLE wales_releases (
  id INTEGER PRIMARY KEY,
  made_at TEXT NOT NULL
);
CREATE TABLE wales_members (
  wales_release_id INTEGER NOT NULL REFERENCES wales_releases(id) ON DELETE CASCADE,
  council_id INTEGER NOT NULL REFERENCES councils(id),
  release_id INTEGER NOT NULL REFERENCES releases(id),
  PRIMARY KEY (wales_release_id, council_id)
) WITHOUT ROWID;

-- The group and team a release counted each member under (a roster correction may move them
-- later): the rule between releases compares what each release really showed.
ALTER TABLE release_members ADD COLUMN grp TEXT;
ALTER TABLE release_members ADD COLUMN team TEXT;
