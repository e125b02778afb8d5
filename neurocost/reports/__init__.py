"""Reports: tables, figures and HTML/Markdown/CSV reports of a sweep's results, and the demo.

``analysis`` reduces a results store to what a reader compares (fronts, per-layer splits);
``figures`` draws them; ``render`` writes the report; ``demo_run`` trains four small models and
sweeps and reports them end to end.
"""
