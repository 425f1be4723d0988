"""GPT-2 Playground: the engine behind the app.

Modules each own one idea:
    corpus      -- files -> cleaned text -> tokenized train/val examples, with stats
    tokenization-- the real GPT-2 BPE offline, or a byte-level BPE trained on the corpus
    models      -- the pretrained and from-scratch catalogs, loading, devices
    training    -- TrainingJob: transformers' Trainer in a thread with live metrics
    evaluation  -- strided sliding-window perplexity
    knobs       -- DecodingSettings: every decoding knob, validated, from named form or CLI values
    generation  -- generate with every knob, streamed, with per-token step records
    decoding    -- the decoding lab: the next-token distribution stage by stage
    compare     -- one prompt and seed through several decoding strategies, with text metrics
The UI (`playground.ui`) only wires components to these.
"""

from playground.errors import PlaygroundError

__all__ = ["PlaygroundError"]
__version__ = "0.1.0"
