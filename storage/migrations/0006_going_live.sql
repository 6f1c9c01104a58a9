-- Going live: webhook workers, possibly several sharing one database.

-- An update is claimed when its handling starts and finished once its outcome is stored. A
-- delivery that finds its update claimed but never finished (the worker handling it died)
-- handles it again; one that finds it finished does nothing.
ALTER TABLE handled_updates ADD COLUMN finished_at TEXT;
UPDATE handled_updates SET finished_at = handled_at;

-- A lease lets one worker at a time do a job (the reminder schedule): held by `owner` until
-- `expires_at` (ISO UTC text), renewed while the owner lives, taken over once it lapses.
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  expires_at TEXT NOT NULL
);

-- The workers serving the bot, each seen every few seconds: the overall send rate is shared
-- among those seen lately.
CREATE TABLE workers (
  owner TEXT PRIMARY KEY,
  seen_at TEXT NOT NULL
);
