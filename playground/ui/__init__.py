"""The Gradio app over the engine: one module per tab, no model math here (see app.build_app)."""

from playground.ui.app import TABS, build_app, launch

__all__ = ["TABS", "build_app", "launch"]
