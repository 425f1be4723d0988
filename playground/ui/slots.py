"""Hosted mode's one training job at a time: the waiting line for the training slot."""

from __future__ import annotations

import threading


class TrainingSlots:
    """At most `limit` training jobs at once across all sessions (None: no limit); the rest wait in order."""

    def __init__(self, limit: int | None):
        self.limit = limit
        self._queue: list[str] = []  # session ids waiting
        self._lock = threading.Lock()

    def position(self, session_id: str) -> int | None:
        """1-based place in the waiting line, or None when not waiting."""
        with self._lock:
            return self._queue.index(session_id) + 1 if session_id in self._queue else None

    def enqueue(self, session_id: str) -> int:
        with self._lock:
            if session_id not in self._queue:
                self._queue.append(session_id)
            return self._queue.index(session_id) + 1

    def leave(self, session_id: str) -> None:
        with self._lock:
            if session_id in self._queue:
                self._queue.remove(session_id)

    def may_start(self, session_id: str, running: int) -> bool:
        """True when this session is first in line (or nobody waits) and a slot is free; it leaves the line."""
        with self._lock:
            if self.limit is not None and running >= self.limit:
                return False
            if self._queue and self._queue[0] != session_id:
                return False
            if self._queue:
                self._queue.pop(0)
            return True
