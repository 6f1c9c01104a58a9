-- A reminder that failed for reasons of its own (a refused address, a 400 from Telegram, a name
-- that cannot go in an email header) is tried again by later runs, but only so many times:
-- `failures` counts those attempts (a fault of the whole channel, such as the network or the
-- SMTP login, is not counted), and `error` keeps the latest reason.
ALTER TABLE reminders ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
