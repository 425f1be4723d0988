"""playground.ui.gradio_fixes: a new session's first event no longer computes every component's page config, and
whatever reads the configs gets the very ones gradio would have computed."""

from __future__ import annotations

import json
import urllib.request

import pytest
from gradio.blocks import BlocksConfig
from gradio.state_holder import SessionState

from playground.ui import build_app, gradio_fixes


@pytest.fixture(scope="module")
def demo(tiny_model_dir, tmp_path_factory):
    return build_app(models=[str(tiny_model_dir)], runs_dir=str(tmp_path_factory.mktemp("runs")))


def gradios_own(demo) -> SessionState:
    """A session built by gradio's own constructor (the one gradio_fixes replaced)."""
    session = object.__new__(SessionState)
    gradio_fixes.GRADIO_INIT(session, demo)
    return session


def test_the_pinned_gradio_gets_the_fix():
    # False means the installed gradio's SessionState is not the code the fix was written against: read the new
    # one (gradio/state_holder.py), and update or drop the fix and its FINGERPRINT.
    assert gradio_fixes.lazy_session_configs(), f"gradio's SessionState changed: {gradio_fixes.fingerprint()}"
    assert SessionState.__init__ is gradio_fixes._lazy_init


def test_a_new_session_computes_no_component_config(demo, monkeypatch):
    calls = []
    real = BlocksConfig.config_for_block
    monkeypatch.setattr(BlocksConfig, "config_for_block", staticmethod(lambda *a, **k: calls.append(a) or real(*a, **k)))
    session = SessionState(demo)
    assert calls == []
    assert len(demo.blocks) > 100 and len(session.config_values) == len(gradios_own(demo).config_values)


def test_the_configs_read_are_gradios_own(demo):
    lazy, eager = SessionState(demo), gradios_own(demo)
    assert list(lazy.components) == list(eager.components)
    # The same after what gradio does to a session as events run: a block replaced by an update, a value written.
    textbox = next(k for k, b in demo.blocks.items() if type(b).__name__ == "Textbox")
    slider = next(k for k, b in demo.blocks.items() if type(b).__name__ == "Slider")
    for session in (lazy, eager):
        session[textbox] = demo.blocks[textbox].__class__(value="changed", label="replaced")
        session._update_value_in_config(slider, 0.5)
    assert lazy.config_values[slider]["props"]["value"] == 0.5
    assert list(lazy.components) == list(eager.components)
    assert textbox in lazy.config_values and lazy.config_values.get(textbox) == eager.config_values[textbox]


def test_another_gradio_keeps_its_own_constructor(monkeypatch):
    monkeypatch.setattr(SessionState, "__init__", gradio_fixes.GRADIO_INIT)
    monkeypatch.setattr(gradio_fixes, "FINGERPRINT", ("not", "this", "gradio"))
    assert not gradio_fixes.lazy_session_configs()
    assert SessionState.__init__ is gradio_fixes.GRADIO_INIT


def test_a_deep_link_still_works(client, app_url):
    """gradio's deep-link route reads every config of a session: it gets them after an event of the session."""
    client.predict("", [], api_name="/runs_list")  # the session's first event: gradio builds its state
    with urllib.request.urlopen(f"{app_url}gradio_api/deep_link?session_hash={client.session_hash}", timeout=30) as r:
        link = json.loads(r.read())
    assert link, "the deep-link route found no session state"


def test_the_launched_app_summarises_events_for_monitoring_only_now_and_then(client, monkeypatch):
    from gradio.queueing import Queue

    summaries = []
    real = Queue._get_df
    monkeypatch.setattr(Queue, "_get_df", staticmethod(lambda records: summaries.append(len(records)) or real(records)))
    for _ in range(4):
        client.predict("", [], api_name="/runs_list")
    assert len(summaries) <= 1, f"gradio summarised its events after {len(summaries)} of 4 events"
