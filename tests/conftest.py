"""Session set-up shared by every test."""

from __future__ import annotations

from neurocost.models.optional import hide_unloadable

# Test files import transformers themselves (to build models as users do); hide an unloadable
# torchvision or torchaudio first, as neurocost does before it imports transformers.
for _package in ("torchvision", "torchaudio"):
    hide_unloadable(_package)
