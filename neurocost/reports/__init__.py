"""Reports: tables, figures, HTML/Markdown reports and sweep result storage."""
