"""bench/bench_gpu.py runs on a CPU-only machine: it says which GPU parts it skips and measures a tiny smoke run."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(torch.cuda.is_available(), reason="on a GPU the benchmark measures for real (minutes)")
def test_gpu_benchmark_skips_its_gpu_parts_in_clear_lines_on_a_cpu(monkeypatch, capsys):
    # `python bench/bench_gpu.py` with no arguments, its main run in this process (an interpreter of its own
    # cost ~7 s of imports; the script's only process-level part is `sys.exit(main())`).
    spec = importlib.util.spec_from_file_location("bench_gpu", ROOT / "bench" / "bench_gpu.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    monkeypatch.setattr(sys, "argv", ["bench/bench_gpu.py"])
    assert bench.main() == 0
    lines = capsys.readouterr().out.splitlines()
    skipped = [line for line in lines if line.startswith("CUDA is not available: skipping")]
    assert any("fine-tuning measurements" in line for line in skipped)
    assert any("torch.compile" in line for line in skipped) and any("MFU" in line for line in skipped)
    rows = [json.loads(line) for line in lines if line.startswith("{")]
    assert [(row["model"], row["mode"]) for row in rows] == [("tiny", "full"), ("tiny", "lora")]
    assert all(row["tokens_per_s"] > 0 and row["precision"] == "fp32" for row in rows)
