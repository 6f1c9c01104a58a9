-- Reminder bookkeeping: one row per (invitee, step), so a step is sent at most once.
-- A run claims a row ('sending', with its owner) before it sends and marks it 'sent' after.
-- A 'sending' row whose owner process died is claimed again by the next run; a 'failed' row
-- (a network fault that outlasted the retries) is tried again by the next run.
CREATE TABLE reminders (
  id INTEGER PRIMARY KEY,
  invitee_id INTEGER NOT NULL REFERENCES invitees(id) ON DELETE CASCADE,
  step TEXT NOT NULL,                                  -- 'invite', 'r1'.., 'last', 'chase1'..
  channel TEXT NOT NULL CHECK (channel IN ('telegram', 'email')),
  status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
  owner TEXT NOT NULL,                                 -- 'host:pid:nonce' of the claiming run
  attempts INTEGER NOT NULL DEFAULT 1,
  claimed_at TEXT NOT NULL,
  sent_at TEXT,
  error TEXT,
  UNIQUE (invitee_id, step)
);
CREATE INDEX reminders_status ON reminders (status);
