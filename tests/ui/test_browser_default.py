"""What a new user gets: `python app.py` with its DEFAULT paths (a fresh HOME, no cache or model overrides),
driven in headless Chromium from Start on the untouched form to a trained model selected and downloaded,
through a page reload, the Runs tab, a resume ended by SIGTERM (the model so far saved), an app restart and a
delete (issue 8).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.ui.conftest import free_port, new_page, open_tab, pick_option, set_number, shot

ROOT = Path(__file__).resolve().parents[2]


class App:
    """`python app.py` as a subprocess, as the README starts it, under a temporary HOME."""

    def __init__(self, home: Path):
        self.home, self.port, self.proc = home, free_port(), None
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("PLAYGROUND_", "HF_", "TRANSFORMERS_"))}
        # HF_HUB_OFFLINE only spares the default-model check its 2-second Hub probe (there is no network here).
        self.env |= {"HOME": str(home), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> App:
        import urllib.request

        self.log = open(self.home / f"app-{self.port}.log", "w")
        self.proc = subprocess.Popen([sys.executable, "app.py", "--port", str(self.port)], cwd=ROOT, env=self.env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url, timeout=2)
                return self
            except OSError:
                assert self.proc.poll() is None, (self.home / f"app-{self.port}.log").read_text()[-3000:]
                time.sleep(0.3)
        raise AssertionError("the app did not answer within 120 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("home")


def status(page) -> str:
    return page.locator("#train-status").inner_text()


def step_of(page) -> int:
    m = re.search(r"step ([\d,]+)", status(page))
    return int(m.group(1).replace(",", "")) if m else -1


def test_default_paths_train_select_download_reload_resume_restart(browser, home, shots_dir):
    from playwright.sync_api import expect

    app = App(home).start()
    try:
        page = new_page(browser, app.url)
        open_tab(page, "Train")
        # The form as it opens: a tiny model from scratch with a corpus BPE, and what to expect before Start.
        expect(page.locator("#train-estimate")).to_contain_text("tokens/s", timeout=90_000)
        assert "BPE trained on the corpus" in page.locator("#train-tokenizer input").input_value()
        assert page.locator("#train-size input").input_value().startswith("tiny")

        # A refused setting: the sentence stays in the status box, naming the field.
        set_number(page, "#train-lr", -1)
        page.click("#train-start")
        expect(page.locator("#train-status")).to_contain_text("Learning rate must be a positive number")
        page.wait_for_timeout(2000)  # not a 10-second toast: still there after the timer would have redrawn
        expect(page.locator("#train-status")).to_contain_text("Learning rate must be a positive number")
        page.reload()
        page.wait_for_selector("#model-select")

        # Start on the untouched form (only the reload above reset the bad learning rate).
        open_tab(page, "Train")
        page.click("#train-start")
        expect(page.locator("#train-status")).to_contain_text("Training", timeout=180_000)
        page.wait_for_function("() => /step [1-9]/.test(document.querySelector('#train-status').innerText)",
                               timeout=180_000)

        # Reloading the page does not kill the job: the new page re-attaches to it and its live chart.
        page.reload()
        page.wait_for_selector("#model-select")
        open_tab(page, "Train")
        expect(page.locator("#train-status")).to_contain_text("Training", timeout=30_000)
        expect(page.locator("#train-stop")).to_be_enabled()
        before = step_of(page)
        page.wait_for_function(f"() => +((document.querySelector('#train-status').innerText.match(/step ([\\d,]+)/) "
                               f"|| [0, '0'])[1].replace(/,/g, '')) > {before}", timeout=120_000)
        page.wait_for_selector("#loss-plot .main-svg")

        # Stop: the model is selected on every tab, the zip downloads, Start works again.
        page.click("#train-stop")
        expect(page.locator("#train-status")).to_contain_text("Stopped", timeout=120_000)
        t_stopped = time.monotonic()
        # Selected by the tick that shows "Stopped" or the next (a tick is 1.5 s): the 5 s bound leaves room for a
        # loaded machine, as the suite's two workers make it, where a 2 s bound was a wall-clock test.
        expect(page.locator("#model-select input")).to_have_value(re.compile(r"tiny-\d{8}-\d{6} \(run\)"), timeout=5_000)
        selected_after = time.monotonic() - t_stopped
        print(f"Stop -> model selected on every tab: {selected_after:.2f} s")  # a figure for the notes (pytest -s)
        run_name = page.locator("#model-select input").input_value().removesuffix(" (run)")
        expect(page.locator("#train-download")).to_be_visible()
        expect(page.locator("#train-start")).to_be_enabled()
        with page.expect_download() as dl:
            page.click("#train-download")
        archive = home / "download.zip"
        dl.value.save_as(archive)
        names = zipfile.ZipFile(archive).namelist()
        assert f"{run_name}/config.json" in names and f"{run_name}/model.safetensors" in names
        assert not any("checkpoint-" in n for n in names)
        runs_dir = home / ".cache" / "gpt2-playground" / "runs"
        assert (runs_dir / run_name / "config.json").exists()  # the default runs folder, under HOME
        zip_time, zip_checked = (runs_dir / f"{run_name}.zip").stat().st_mtime, time.monotonic()
        shot(page, shots_dir, "train-finished.png")

        # Generate with the trained model: the seed is blank and random, max new tokens fits its context (128).
        open_tab(page, "Generate")
        page.get_by_text("More knobs", exact=True).click()
        expect(page.locator("#gen-seed textarea, #gen-seed input").first).to_have_value("")
        slider_max = page.locator("#gen-max-new input[type=number]").first.get_attribute("max")
        assert slider_max == "127", slider_max
        page.fill("#prompt textarea", "KING:")
        seeds = [""]
        for _ in range(2):  # blank seed: each press draws a fresh one (the wait fails if a seed repeats)
            page.click("#generate-btn")
            page.wait_for_function("prev => { const m = document.querySelector('#generate-info').innerText"
                                   ".match(/seed (\\d+)/); return m && m[1] !== prev; }", arg=seeds[-1], timeout=60_000)
            seeds.append(re.search(r"seed (\d+)", page.locator("#generate-info").inner_text()).group(1))
        text = page.locator("#generate-output textarea").input_value()
        page.locator("#gen-seed textarea, #gen-seed input").first.fill("abc")
        page.click("#generate-btn")
        expect(page.locator("#generate-info")).to_contain_text("Seed must be a whole number")
        assert page.locator("#generate-output textarea").input_value() == text  # the output is not wiped
        # Two timer periods and more since the download (the Generate presses above): the zip was not rebuilt on a tick.
        page.wait_for_timeout(max(0, 3500 - 1000 * (time.monotonic() - zip_checked)))
        assert (runs_dir / f"{run_name}.zip").stat().st_mtime == zip_time

        # Runs tab: the run, with its CLI command; resume it from there.
        open_tab(page, "Runs")
        expect(page.locator("#runs-table")).to_contain_text(run_name)
        expect(page.locator("#runs-table")).to_contain_text("stopped")
        expect(page.locator("#runs-command")).to_contain_text("--resume")
        stopped_at = json.loads((runs_dir / run_name / "playground.json").read_text())["final_metrics"]["step"]
        page.click("#runs-resume")
        expect(page.get_by_role("tab", name="Train", exact=True)).to_have_attribute("aria-selected", "true")
        expect(page.locator("#train-status")).to_contain_text("Training", timeout=120_000)
        page.wait_for_function(f"() => +((document.querySelector('#train-status').innerText.match(/step ([\\d,]+)/) "
                               f"|| [0, '0'])[1].replace(/,/g, '')) > {stopped_at}", timeout=120_000)

        # SIGTERM (or Ctrl-C) to `python app.py` while the resumed run trains: the model so far is saved, as Stop does.
        app.proc.terminate()
        assert app.proc.wait(120) == 0
        info = json.loads((runs_dir / run_name / "playground.json").read_text())
        assert info["status"] == "stopped" and info["final_metrics"]["step"] > stopped_at, info
        assert (runs_dir / run_name / "model.safetensors").exists()
    finally:
        app.stop()

    # An app restart: the run is still listed, its curves overlay, and it can be deleted (after confirming).
    app = App(home).start()
    try:
        page = new_page(browser, app.url)
        open_tab(page, "Runs")
        expect(page.locator("#runs-table")).to_contain_text(run_name)
        print(f"runs listed after the restart: {page.locator('#runs-table tbody tr').count()}")
        pick_option(page, "#runs-overlay", run_name)
        page.wait_for_function("() => [...document.querySelectorAll('#runs-plot .legendtext')]"
                               ".some(e => e.textContent.endsWith('· val'))")
        shot(page, shots_dir, "runs.png")
        page.click("#runs-delete")
        page.click("#runs-confirm")
        expect(page.locator("#runs-message")).to_contain_text(f"Deleted {run_name}")
        expect(page.locator("#runs-table")).not_to_contain_text(run_name)
        assert not (runs_dir / run_name).exists()
    finally:
        app.stop()
