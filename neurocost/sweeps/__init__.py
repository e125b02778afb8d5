"""Sweeps: many models x profiles x parameter settings, resumable, into a Parquet results store.

``spec`` validates a sweep file; ``inputs`` builds what each model is traced on (and its
accuracy); ``model_jobs`` traces each model variant once and caches the trace; ``variant_rows``
prices a trace over the grid; ``sweep`` runs it all on a local or Dask ``executors`` pool into the
locked, spec-digested ``store``, whose columns are ``result_columns``.
"""
