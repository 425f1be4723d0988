"""The main events through gradio_client, as any program (or the browser) calls them."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from gradio_client import Client, handle_file

DATA = Path(__file__).parent.parent / "data"
# Every endpoint takes its inputs by name (the form's field names; the knobs are DecodingSettings' fields), and an
# input left out keeps the value the page opens with.
KNOBS = dict(max_new_tokens=12, seed="7")  # Generate: top-k 50, top-p 0.95 as the page opens
LAB = dict(top_k=5, top_n=8, draws=2000, seed=0, temps="0.5, 1, 2")


def macbeth(**settings) -> dict:
    """/prepare_corpus's inputs for the uploaded Macbeth."""
    return dict(source="uploaded", files=[handle_file(DATA / "macbeth.txt")], cleaning=[], mode="blocks", block_size=64,
                stride=0, val_percent=10, text_field="") | settings


def test_every_endpoint_names_its_parameters(client):
    """An API client calls the endpoints by the form's names, never by position (param_0 …)."""
    api = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    names = {endpoint: [p["parameter_name"] for p in info["parameters"]] for endpoint, info in api.items()}
    assert names["/generate"][:3] == ["prompt", "model", "temperature"] and "seed" in names["/generate"]
    assert {"source", "scratch", "tokenizer", "max_steps", "lr", "batch_size", "seed"} <= set(names["/train_start"])
    assert names["/prepare_corpus"] == ["source", "files", "cleaning", "mode", "block_size", "stride", "val_percent",
                                        "text_field", "dataset", "dataset_config", "dataset_split", "dataset_max_chars"]
    assert not [f"{e} {n}" for e, ns in names.items() for n in ns if re.fullmatch(r"(param_\d+|.*_)", n)]


def test_prepare_corpus_reports_stats_and_histogram(client):
    message, stats, hist, top = client.predict(**macbeth(), api_name="/prepare_corpus")
    assert "Ready" in message and "macbeth.txt" in message
    assert "train examples" in stats
    assert "Tokens per" in str(hist) and "No examples yet" not in str(hist)  # the histogram of this corpus
    assert top["data"] and top["headers"] == ["token", "count"]


def test_prepare_shows_bad_input_inline(client):
    message, *_ = client.predict(**macbeth(files=[]), api_name="/prepare_corpus")
    assert "No file uploaded yet" in message and "pg-error" in message
    message, *_ = client.predict(**macbeth(stride=128), api_name="/prepare_corpus")
    assert "Stride must be between 1 and the block size" in message


def test_generate_streams_then_returns_coloured_tokens(client, peaky_model_dir):
    job = client.submit(prompt="Hello", model=str(peaky_model_dir), **KNOBS, api_name="/generate")
    outputs = list(job)  # every streamed update
    job.result()
    texts = [o[0] for o in outputs]
    assert len(texts) >= 3  # the prompt, pieces as they come, the final text
    final_text, tokens, info = outputs[-1]
    assert final_text.startswith("Hello") and len(final_text) > len("Hello")
    assert tokens[0]["token"] == "Hello" and len(tokens) == 13  # the prompt and 12 coloured tokens
    assert "seed 7" in info
    # The same seed gives the same text.
    again = client.predict(prompt="Hello", model=str(peaky_model_dir), **KNOBS, api_name="/generate")
    assert again[0] == final_text


def test_generate_bad_knob_is_a_message_not_a_traceback(client, peaky_model_dir):
    text, tokens, info = client.predict(prompt="Hello", model=str(peaky_model_dir), **KNOBS, num_beams=2,  # sampling
                                        api_name="/generate")
    # One sentence, inline, naming what is wrong; the last output is not wiped.
    assert "Beam search is deterministic" in info and "pg-error" in info and info.count("pg-note") == 1
    assert text == tokens == {"__type__": "update"}  # gr.skip(): the page keeps the text and tokens it showed


def test_lab_stages_histogram_and_step(client, peaky_model_dir):
    stage_fig, hist_fig, temp_fig, choices, info = client.predict(
        context="The king", model=str(peaky_model_dir), **LAB, api_name="/lab")
    assert "5 tokens possible" in info  # top-k 5
    hist, _ = client.predict(model=str(peaky_model_dir), draws=50_000, seed=3, top_n=8, api_name="/lab_sample")
    assert "50,000 draws" in str(hist)
    context, *_ , info2 = client.predict(model=str(peaky_model_dir), choice=None, **LAB, api_name="/lab_sample_one")
    assert context.startswith("The king") and len(context) > len("The king")
    assert "Appended" in info2


def test_compare_table_and_chart(client, tiny_model_dir):
    table, plot, texts, message = client.predict(prompt="The", model=str(tiny_model_dir), new_tokens=10, seed=0, include=True,
                                                 yours_max_new_tokens=12, yours_seed="7", api_name="/compare")
    names = [row[0] for row in table["data"]]
    assert names == ["greedy", "beam 4", "top-k 50", "top-p 0.9", "temperature 0.7", "temperature 1.3", "yours"]
    assert all(row[-1] <= 10 for row in table["data"])


def test_evaluate_two_models(client, tiny_model_dir, peaky_model_dir):
    cards, table, tokens, plot, message = client.predict(
        text="To be, or not to be", file=None, model=str(tiny_model_dir), second_model=str(peaky_model_dir),
        api_name="/evaluate")
    # One row per model, named after its folder; the same tokenizer, so the same token and character counts.
    (a, ppl_a, *counts_a), (b, ppl_b, *counts_b) = table["data"]
    assert [a, b] == [Path(tiny_model_dir).name, Path(peaky_model_dir).name]
    assert counts_a[-2:] == counts_b[-2:] == [7, len("To be, or not to be")] and ppl_a > 1 and ppl_b > 1 and ppl_a != ppl_b
    assert tokens and "".join(t["token"] for t in tokens) == "To be, or not to be"


def test_train_live_ticks_then_joins_the_model_list(client):
    client.predict(**macbeth(block_size=32), api_name="/prepare_corpus")
    client.predict(source="scratch", scratch="tiny", tokenizer="bpe:1000", max_steps=12, max_minutes=0, lr=0.002,
                   batch_size=4, warmup=2, eval_every=4, seed=1, api_name="/train_start")
    deadline = time.monotonic() + 120
    saw_curve = False
    while time.monotonic() < deadline:
        out = client.predict(False, 0.0, api_name="/train_tick")
        plot, samples, status = out[:3]
        saw_curve = saw_curve or "train loss" in str(plot)
        if any(word in status for word in ("Finished", "Stopped", "Failed")):
            break
        time.sleep(1)
    assert "Finished" in status, status
    assert saw_curve and samples["data"]
    # Buttons are not API outputs: plot, samples, status, timer, model selector, download.
    selector, download = out[4], out[5]
    trained = selector["value"]
    assert Path(trained, "config.json").exists()
    assert [label.endswith("(run)") for label, value in selector["choices"] if value == trained] == [True]
    assert download["visible"] and download["value"].endswith(".zip")
    # The trained model is now in the session's model list: Generate can use it.
    text, tokens, info = client.predict(prompt="", model=trained, **KNOBS, api_name="/generate")
    assert len(tokens) == 13


def test_runs_compare_across_tokenizers_per_character(client):
    """After a training run (the test above): the Runs table gives each run's best val nats/char, and the overlay
    draws val loss per character, the figure runs with different tokenizers compare on."""
    table, *_ = client.predict(run=None, overlay=[], api_name="/runs_list")
    table = table.get("value", table)  # an update of the table
    headers, rows = table["headers"], table["data"]
    assert "best val nats/char" in headers
    finished = [r for r in rows if r[headers.index("best val nats/char")] != "–"]
    assert finished and float(finished[0][headers.index("best val nats/char")]) > 0
    plot, diff, message = client.predict(runs=[finished[0][0]], x_axis="tokens", y_axis="nats_per_char", log_y=False,
                                         smoothing=0.6, api_name="/runs_overlay")
    assert json.loads(plot["plot"])["layout"]["yaxis"]["title"]["text"] == "val loss (nats / character)" and message == ""


def test_quick_demo_preset_fills_the_form(client):
    from playground.presets import QUICK_DEMO

    values = client.predict(api_name="/train_preset")
    source, size, tokenizer = values[:3]
    assert (source, size, tokenizer["value"]) == ("scratch", QUICK_DEMO["scratch"], QUICK_DEMO["tokenizer"])
    assert "bundled Shakespeare" in values[-1]
    assert "tokens/s for the tiny model on this machine" in values[-1]  # it measured the machine, and says what it chose


def test_stop_ends_a_long_generation_early(client, tmp_path):
    from tests.conftest import make_tiny_model

    folder = make_tiny_model(tmp_path / "long-context", n_positions=1024)  # room for 512 new tokens
    job = client.submit(prompt="Once", model=str(folder), **(KNOBS | dict(max_new_tokens=512)), api_name="/generate")
    for update in job:  # wait for the stream to start, then press Stop
        if len(update[0]) > len("Once"):
            client.predict(api_name="/generate_stop")
            break
    text, tokens, info = job.result()
    assert len(tokens) - 1 < 512
    assert "stopped" in info


def test_bad_training_settings_are_refused_in_one_sentence(client):
    status = client.predict(source="scratch", scratch="tiny", max_steps=10, lr=-0.1, api_name="/train_start")[-1]
    assert "Learning rate must be a positive number" in status and "pg-error" in status


def test_a_failing_job_reports_why(client, tiny_model_dir):
    # A block size above the local tiny model's 128-token context fails once the job resolves its settings.
    client.predict(**macbeth(block_size=256), api_name="/prepare_corpus")
    client.predict(source="finetune", base=str(tiny_model_dir), max_steps=10, batch_size=4, api_name="/train_start")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = client.predict(False, 0.0, api_name="/train_tick")[2]
        if "Failed" in status:
            break
        time.sleep(0.5)
    assert "Block size 256 is above the model&#x27;s context of 128 tokens" in status


def test_internals_attention_lens_surprisal_then_beam_tree(client, tiny_model_dir, peaky_model_dir):
    heat, lines, lens, surprisal, info, layer, head, focus = client.predict(
        text="To be, or not to be", model=str(tiny_model_dir), layer=2, head=1, focus=0, api_name="/internals")
    assert "7 tokens" in info and "2 layers × 2 heads" in info and "mean surprisal" in info
    assert "Attention weights — layer 2, head 1" in str(heat) and "Who looks at whom" in str(lines)
    assert "after block 2" in str(lens) and "Surprisal of each token" in str(surprisal)
    assert layer["maximum"] == 2 and head["maximum"] == 2 and focus["maximum"] == 7  # sliders follow the model
    tree, finals, _ = client.predict(text="The king", model=str(peaky_model_dir), beams=3, steps=4, api_name="/beam_tree")
    assert "Beam search with 3 beams" in str(tree) and "final beam (what generate returns)" in str(tree)
    assert finals.count("<tr>") == 1 + 3  # header and the three beams generate returns
    *_, message = client.predict(text="The king", model=str(peaky_model_dir), beams=3, steps=11, api_name="/beam_tree")
    assert "New tokens must be a whole number from 1 to 10, not 11." in message  # before the engine runs


def test_lab_temperature_sweep_redraws_the_same_bars_from_the_kept_logits(client, peaky_model_dir):
    fresh = Client(client.src, verbose=False)  # a session with no distribution shown yet
    _, info = fresh.predict(model=str(peaky_model_dir), sweep=0.5, temps="1", api_name="/lab_temperature")
    assert "Press Show distribution first" in info and "pg-error" in info  # inline, not a toast
    client.predict(context="The king", model=str(peaky_model_dir), **LAB, api_name="/lab")
    cold, _ = client.predict(model=str(peaky_model_dir), sweep=0.25, temps="1", api_name="/lab_temperature")
    hot, _ = client.predict(model=str(peaky_model_dir), sweep=1.75, temps="1", api_name="/lab_temperature")
    assert "Temperature 0.25 on the raw logits" in str(cold) and "Temperature 1.75" in str(hot)
    assert "greedy" in str(client.predict(model=str(peaky_model_dir), sweep=0, temps="1", api_name="/lab_temperature"))
