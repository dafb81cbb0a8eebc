"""Surrogate generators per entity type (registry ``textsynth.registry.surrogates``) and the map."""

from __future__ import annotations

from textsynth.pii.surrogates import dates, numbers, people  # noqa: F401 - register the built-ins
from textsynth.pii.surrogates.base import LOCALES, SurrogateContext, SurrogateMap, identity_form

__all__ = ["LOCALES", "SurrogateContext", "SurrogateMap", "identity_form"]
