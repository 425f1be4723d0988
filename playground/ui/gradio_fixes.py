"""Two costs of gradio's that a classroom meets at once, each measured on the 2-core machine with gradio 6.31.

**Every component's config for each new session.** gradio 6.31 builds a session's server-side state
(`gradio.state_holder.SessionState`) on the first event a page sends, and its constructor computes the page config
of every component of the app (`BlocksConfig.config_for_block`: `inspect.signature` of each constructor, and a
regular expression per missing attribute of each gr.HTML). For this app's 323 blocks that is 20 ms of Python on the server's event loop, where nothing else runs meanwhile. The
configs are read only to make a deep link (`/gradio_api/deep_link`, gr.DeepLinkButton; this app has its own share
links). A class that opens a teacher's link together queues thirty of these ahead of its thirty requests: most of
the first round's time in bench/bench_classroom.py (docs/benchmarks.md, "A classroom of 30").

`lazy_session_configs()` computes them when first read instead: the same configs, in the same order, from the same
blocks. It replaces the constructor only while gradio's is the one it was written against (a fingerprint of its
source); another gradio keeps its own, and tests/ui/test_gradio_fixes.py says so.

**A summary of every past event after each event.** For its /monitoring page gradio re-summarises all the events
it remembers (up to 10 000, in a pandas DataFrame) after each one: 4 ms of CPU with 300 remembered, 16 ms with
10 000, paid after each answer is sent, so a class's thirty presses leave up to half a second of it behind them,
in the way of the next. `fewer_monitoring_summaries()` has it done every `MONITORING_EVERY` events, through
gradio's own setting (a host's own value of it is kept).
"""

from __future__ import annotations

import hashlib
import inspect
import os
from copy import copy

from gradio.state_holder import SessionState

# sha256 of the source of gradio 6.31's SessionState.__init__, _update_value_in_config and components: the code
# LazyConfigs stands in for (see below). A different gradio leaves SessionState as it is.
FINGERPRINT = ("1b2ea21dc42c45da", "7e5b61f747b0dce7", "010247a9cb27797d")
GRADIO_INIT = SessionState.__init__  # gradio's own (tests compare with it)


MONITORING_EVERY = 100  # events between two summaries: often enough for a dashboard


def fewer_monitoring_summaries() -> None:
    """Summarise events for /monitoring every MONITORING_EVERY events; call before `Blocks.queue()`, which reads it."""
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", str(MONITORING_EVERY))


class LazyConfigs(dict):
    """A session's `config_values`: block id -> page config, each computed from its block on first read.

    Keys stay "present" from the start, as gradio's eager dict had them: `in`, `[]`, `get` and iteration compute
    what they touch. gradio writes entries when a block is updated; those win over the lazy ones.
    """

    def __init__(self, blocks_config, ids: list[int]):
        super().__init__()
        self._blocks_config = blocks_config
        self._order = ids
        self._pending = set(ids)

    def _compute(self, key):
        self._pending.discard(key)
        value = self._blocks_config.config_for_block(key, [], self._blocks_config.blocks[key])
        dict.__setitem__(self, key, value)
        return value

    def _fill(self) -> None:
        for key in [k for k in self._order if k in self._pending]:
            self._compute(key)

    def __missing__(self, key):
        if key in self._pending:
            return self._compute(key)
        raise KeyError(key)

    def __contains__(self, key) -> bool:
        return key in self._pending or dict.__contains__(self, key)

    def __setitem__(self, key, value) -> None:
        self._pending.discard(key)
        dict.__setitem__(self, key, value)

    def get(self, key, default=None):
        return self[key] if key in self else default

    def items(self):
        self._fill()  # every key of _order is in the dict now; keys gradio added beyond them follow
        order = set(self._order)
        keys = self._order + [k for k in dict.keys(self) if k not in order]
        return [(k, dict.__getitem__(self, k)) for k in keys]

    def keys(self):
        return [k for k, _ in self.items()]

    def values(self):
        return [v for _, v in self.items()]

    def __iter__(self):
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self._pending | set(dict.keys(self)))


def _lazy_init(self, blocks) -> None:
    # gradio 6.31's SessionState.__init__, with config_values lazy instead of computed for every block here.
    self.blocks_config = copy(blocks.default_config)
    self.config_values = LazyConfigs(self.blocks_config, [k for k in self.blocks_config.blocks if k in blocks.blocks])
    self.state_data = {}
    self._state_ttl = {}
    self.is_closed = False
    self.STATE_TTL_WHEN_CLOSED = 1 if os.getenv("GRADIO_IS_E2E_TEST", None) else 3600


def fingerprint() -> tuple[str, ...]:
    """The installed gradio's fingerprint of the code LazyConfigs stands in for."""
    functions = (GRADIO_INIT, SessionState._update_value_in_config, SessionState.components.fget)
    try:
        return tuple(hashlib.sha256(inspect.getsource(f).encode()).hexdigest()[:16] for f in functions)
    except (OSError, TypeError):  # gradio installed without its sources: nothing to compare, so no fix
        return ()


def lazy_session_configs() -> bool:
    """Make new sessions compute their component configs on first read; True when applied (now or before)."""
    if SessionState.__init__ is _lazy_init:
        return True
    if fingerprint() != FINGERPRINT:
        return False
    SessionState.__init__ = _lazy_init
    return True
