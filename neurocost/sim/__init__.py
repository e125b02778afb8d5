"""Simulation: exact activity tracing (``trace``) and the event-driven hardware model."""
