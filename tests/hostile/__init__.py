"""Broken and hostile input (issue 14): nothing silent, nothing lost, nothing unbounded."""
