"""Efficiency claims as tests: claims files, golden values, the pytest plugin and its checker.

A claim ("BiBERT needs 56.3x fewer FLOPs than BERT-base", "our SNN uses 3.1 uJ per sample on
Loihi") is a record in a ``*.claims.yaml`` file (``neurocost.claims.schema``); pytest collects
each as a test (``neurocost.claims.plugin``) and ``neurocost claims check`` runs them without
pytest. This package imports nothing heavy: torch is loaded only to measure a claim.
"""
