"""Subcommands of the ``neurocost`` CLI (parsing and printing only; logic lives in the parts)."""
