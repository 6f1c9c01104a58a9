-- datatool schema, version 1. Times are ISO-8601 UTC text ('2026-11-27T11:02:45Z').
-- Emails are stored lower-cased. See docs/ARCHITECTURE.md.

CREATE TABLE councils (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  slug_cy TEXT NOT NULL UNIQUE,
  name_en TEXT NOT NULL,
  name_cy TEXT NOT NULL,
  name_cy_soft TEXT NOT NULL,
  name_cy_nasal TEXT NOT NULL,
  name_cy_aspirate TEXT NOT NULL
);

CREATE TABLE invitees (
  id INTEGER PRIMARY KEY,
  council_id INTEGER NOT NULL REFERENCES councils(id),
  grp TEXT NOT NULL CHECK (grp IN ('officer', 'member')),
  name TEXT NOT NULL CHECK (name <> ''),
  email TEXT NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
  language TEXT CHECK (language IN ('en', 'cy')),
  team TEXT,
  token TEXT UNIQUE,
  telegram_id INTEGER UNIQUE,
  opened_at TEXT,
  emailed_at TEXT,
  unreachable TEXT CHECK (unreachable IN ('blocked', 'bounced')),
  created_at TEXT NOT NULL,
  UNIQUE (council_id, email)
);

CREATE TABLE responses (
  id INTEGER PRIMARY KEY,
  invitee_id INTEGER NOT NULL UNIQUE REFERENCES invitees(id) ON DELETE CASCADE,
  language TEXT CHECK (language IN ('en', 'cy')),
  privacy_accepted INTEGER NOT NULL DEFAULT 0 CHECK (privacy_accepted IN (0, 1)),
  cursor TEXT,
  reviewing INTEGER NOT NULL DEFAULT 0 CHECK (reviewing IN (0, 1)),
  started_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  submitted_at TEXT
);

CREATE TABLE answers (
  response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
  question_id TEXT NOT NULL,
  choice TEXT,
  text TEXT,
  answered_at TEXT NOT NULL,
  PRIMARY KEY (response_id, question_id)
);

CREATE TABLE accounts (
  telegram_id INTEGER PRIMARY KEY,
  language TEXT CHECK (language IN ('en', 'cy')),
  first_seen TEXT NOT NULL,
  blocked_at TEXT
);

CREATE TABLE handled_updates (update_id INTEGER PRIMARY KEY, handled_at TEXT NOT NULL);
CREATE INDEX handled_updates_by_time ON handled_updates (handled_at);

CREATE TABLE auditors (
  telegram_id INTEGER NOT NULL,
  council_id INTEGER REFERENCES councils(id),
  added_at TEXT NOT NULL
);
CREATE UNIQUE INDEX auditors_scope ON auditors (telegram_id, IFNULL(council_id, 0));

CREATE TABLE survey_windows (
  council_id INTEGER PRIMARY KEY REFERENCES councils(id),
  closes_on TEXT,
  closed_at TEXT,
  report_sent_at TEXT
);
