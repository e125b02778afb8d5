"""Sweeps: many models x profiles x parameter settings, resumable, into a Parquet results store.

``spec`` validates a sweep file (each model's input is the front door's ``InputSpec``);
``model_jobs`` prepares each model variant's workload (``neurocost.tracing.workload``), traces
it once and caches the trace; ``variant_rows`` prices a trace over the grid; ``sweep`` runs it
all on a local or Dask ``executors`` pool into the locked, spec-digested ``store``, whose columns
are ``result_columns``.
"""
