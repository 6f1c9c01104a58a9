-- The first day a council's survey is open (NULL: open as soon as the window is set).
ALTER TABLE survey_windows ADD COLUMN opens_on TEXT;
