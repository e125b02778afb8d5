"""Shared set-up of the scratch pytest runs (pytester) that the plugin tests make."""

# pytester's in-process runs drop the modules first imported inside them; torch cannot be
# imported twice in one process, so everything a claim measurement loads is imported here first.
import torch._dynamo  # noqa: F401  (imported lazily by torch.random.fork_rng, zoo seeding)

import neurocost.claims.measure  # noqa: F401
import neurocost.claims.report  # noqa: F401
import neurocost.claims.runner  # noqa: F401
import neurocost.energy.pricing  # noqa: F401
import neurocost.models.layers  # noqa: F401
import neurocost.models.zoo  # noqa: F401
import neurocost.tracing.trace  # noqa: F401

# Plugins the scratch runs do not need (hypothesis would be re-imported by every run).
QUIET = ("-p", "no:hypothesispytest", "-p", "no:benchmark", "-p", "no:cacheprovider")
