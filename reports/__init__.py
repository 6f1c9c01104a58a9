"""reports: what auditors read. Stored counts (``storage.reporting``) become pydantic results
(``reports.aggregate.build_report``) with findings by rule (``reports.findings``) and the
confidentiality rule (``reports.confidentiality``, on ``reports.anonymity``'s exact check),
rendered as a Telegram summary and a self-contained HTML document
(``reports.render``), in Welsh and in English."""

from reports.aggregate import build_report
from reports.anonymity import MIN_GROUP_SIZE
from reports.render import render_html, render_summary, report_filename
from reports.results import Report

__all__ = [
    "MIN_GROUP_SIZE",
    "Report",
    "build_report",
    "render_html",
    "render_summary",
    "report_filename",
]
