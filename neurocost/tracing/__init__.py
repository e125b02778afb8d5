"""Tracing: run a model once and count exactly what it does (``trace``, ``count_static``).

``trace`` drives the model; ``interception`` hooks modules and dispatches ops to the
``recorder``, which turns each call into one row (columns in ``columns``) using the fan-out
arithmetic of ``counting``, the operand encodings carried by ``tags`` and the neuron knowledge
of ``neurons``; ``trace_record.Trace`` holds the rows; ``static`` counts from shapes alone.
"""
