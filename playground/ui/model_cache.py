"""Loaded models, shared by every session of the app."""

from __future__ import annotations

import threading
from collections import OrderedDict

from playground.models import load_model

MODEL_CACHE_SIZE = 3


class ModelCache:
    """Loaded (model, tokenizer) pairs shared by every session, least recently used dropped first.

    Inference never changes a model, so sessions can share them; a per-name lock stops two sessions
    from loading the same model twice at once.
    """

    def __init__(self, size: int = MODEL_CACHE_SIZE):
        self.size = size
        self._items: OrderedDict[str, tuple] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}

    def get(self, name: str):
        with self._lock:
            if name in self._items:
                self._items.move_to_end(name)
                return self._items[name]
            lock = self._loading.setdefault(name, threading.Lock())
        with lock:
            with self._lock:
                if name in self._items:
                    return self._items[name]
            pair = load_model(name)
            with self._lock:
                self._items[name] = pair
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
            return pair

    def forget(self, name: str) -> None:
        with self._lock:
            self._items.pop(name, None)
