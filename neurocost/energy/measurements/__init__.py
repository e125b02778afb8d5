"""Measured data from silicon, as derived summaries with their source and commit (data only)."""
