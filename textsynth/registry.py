"""Explicit registries with entry points: formats, recognizers, surrogates, metrics."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from typing import Generic, TypeVar

from textsynth.errors import UnknownNameError

T = TypeVar("T")


def did_you_mean(name: str, choices: list[str]) -> str:
    """Return `` (did you mean 'x'?)`` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class Registry(Generic[T]):
    """A name -> object table that third parties extend through an entry-point group.

    Args:
        kind: what is registered, used in messages (e.g. ``"format"``).
        group: the entry-point group scanned on first lookup (e.g. ``"textsynth_formats"``).
    """

    def __init__(self, kind: str, group: str) -> None:
        self.kind = kind
        self.group = group
        self._items: dict[str, T] = {}
        self._loaded_entry_points = False

    def register(self, name: str | None = None) -> Callable[[T], T]:
        """Return a decorator registering its argument under ``name`` (or its ``.name``)."""

        def deco(obj: T) -> T:
            key = name or getattr(obj, "name", None)
            if not key or not isinstance(key, str):
                raise ValueError(f"cannot register {obj!r} as a {self.kind}: it has no name")
            self._items[key] = obj
            return obj

        return deco

    def add(self, name: str, obj: T) -> None:
        """Register ``obj`` under ``name``."""
        self._items[name] = obj

    def _load_entry_points(self) -> None:
        if self._loaded_entry_points:
            return
        self._loaded_entry_points = True
        for ep in entry_points(group=self.group):
            if ep.name not in self._items:
                self._items[ep.name] = ep.load()

    def get(self, name: str) -> T:
        """Return the object registered as ``name``; ``UnknownNameError`` lists the names."""
        if name not in self._items:
            self._load_entry_points()
        try:
            return self._items[name]
        except KeyError:
            names = self.names()
            raise UnknownNameError(
                f"unknown {self.kind} {name!r}{did_you_mean(name, names)}; "
                f"choose one of: {', '.join(names)}"
            ) from None

    def names(self) -> list[str]:
        """Return the registered names, sorted."""
        self._load_entry_points()
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        self._load_entry_points()
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())


formats: Registry[type] = Registry("format", "textsynth_formats")
recognizers: Registry[type] = Registry("recognizer", "textsynth_recognizers")
surrogates: Registry[Callable] = Registry("surrogate", "textsynth_surrogates")
metrics: Registry[type] = Registry("metric", "textsynth_metrics")
