"""`pip install .` as a user runs it: the package, its bundled corpus and demo model, and the `gpt2-playground`
command, used from another directory.

The checkout is copied to a temporary folder first, because building writes build/ and *.egg-info beside the
sources (tests never write into the checkout). The venv sees this interpreter's packages
(`--system-site-packages`), so nothing is downloaded: only the playground itself is installed into it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NEEDED = ("pyproject.toml", "requirements.txt", "README.md", "LICENSE", "playground", "assets")
JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "screenshots")


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A fresh venv with the checkout installed into it by `pip install --no-deps --no-build-isolation .`."""
    root = tmp_path_factory.mktemp("install")
    source = root / "source"
    source.mkdir()
    for name in NEEDED:
        (shutil.copytree(ROOT / name, source / name, ignore=JUNK) if (ROOT / name).is_dir()
         else shutil.copy2(ROOT / name, source / name))
    env_dir = root / "venv"
    # No pip of its own (seconds saved): the system site's pip runs under the venv's interpreter and installs there.
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(env_dir)], check=True)
    python = env_dir / ("Scripts" if os.name == "nt" else "bin") / "python"
    out = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                          "--no-cache-dir", "--disable-pip-version-check", "."],
                         cwd=source, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    return env_dir


def run(venv: Path, program: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(cwd / "hf-home"), "PLAYGROUND_CACHE": str(cwd / "cache"),
           "PYTHONPATH": ""}  # nothing from the checkout: only what was installed
    folder = venv / ("Scripts" if os.name == "nt" else "bin")
    return subprocess.run([str(folder / program), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_installed_command_generates_from_another_directory(venv, tmp_path, capsys):
    """With an empty Hugging Face cache and the Hub offline, the default model is the bundled demo model, found
    in the installed package; the same seed gives the same tokens as the checkout."""
    out = run(venv, "gpt2-playground", "generate", "--prompt", "ROMEO:", "--json", "--seed", "1", cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Using the bundled demo model" in out.stderr
    (sequence,) = json.loads(out.stdout)["sequences"]
    assert sequence["text"].strip() and len(sequence["token_ids"]) == len(sequence["steps"]) > 0
    assert all(0 < step["prob"] <= 1 for step in sequence["steps"])

    from playground.cli import main

    assert main(["generate", "--model", "demo", "--prompt", "ROMEO:", "--json", "--seed", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["sequences"][0]["token_ids"] == sequence["token_ids"]


def test_installed_package_holds_every_module_and_the_assets(venv, tmp_path):
    script = ("import json, playground, playground.assets as a, playground.models as m, playground.ui.i18n as i; "
              "print(json.dumps([playground.__file__, str(a.ASSETS), str(m.DEMO_MODEL_DIR), sorted(i.I18N.translations)]))")
    out = run(venv, "python", "-c", script, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    *found, languages = json.loads(out.stdout.splitlines()[-1])
    init, assets, demo = (Path(p) for p in found)
    assert "zh-CN" in languages  # the UI's translations, data files of the package
    installed = init.parent
    assert venv in installed.parents  # the installed copy, not the checkout
    assert assets == installed / "_assets" and (demo / "model.safetensors").is_file()
    for corpus in ("train.txt", "validation.txt"):
        assert (assets / "shakespeare" / corpus).stat().st_size == (ROOT / "assets" / "shakespeare" / corpus).stat().st_size
    # Every file of the package (a new subpackage or data file must be declared in pyproject.toml).
    package = ROOT / "playground"
    files = {p.relative_to(package) for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    missing = sorted(str(f) for f in files if not (installed / f).is_file())
    assert missing == [], f"not installed (declare them in pyproject.toml): {missing}"


def test_installed_command_without_a_command_is_the_app(venv, tmp_path):
    out = run(venv, "gpt2-playground", "--help", cwd=tmp_path)
    assert out.returncode == 0 and "--host" in out.stdout and "--hosted" in out.stdout
    assert all(name in out.stdout for name in ("train", "eval", "generate", "lab", "compare"))
    out = run(venv, "gpt2-playground", "tarin", cwd=tmp_path)
    assert out.returncode == 2 and "unknown command 'tarin'" in out.stderr and "Traceback" not in out.stderr


def test_the_installed_commands_usage_names_it(venv, tmp_path):
    out = run(venv, "gpt2-playground", "push", "--help", cwd=tmp_path)
    assert out.returncode == 0 and out.stdout.startswith("usage: gpt2-playground push"), out.stdout[:300]


def test_pyproject_lists_every_package_of_the_checkout():
    """A subpackage missing from pyproject's explicit list installs without its modules (playground.charts once
    did): caught here in a moment, without building a venv."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "playground").rglob("__init__.py")}
    assert found <= listed, f"add to pyproject.toml's packages: {sorted(found - listed)}"
