"""The auditor's room: /report, /status and the delivery of reports."""
