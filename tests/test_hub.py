"""Push to the Hub: refusals in one sentence, the files that go up, and what huggingface_hub is handed.

Nothing fakes a Hub server: the refusals are real (no token, HF_HUB_OFFLINE, a Hub that does not answer), and
the push itself is checked at huggingface_hub's API boundary, HfApi.create_repo and HfApi.create_commit
replaced by recorders of their arguments.
"""

import json

import pytest
from huggingface_hub import HfApi, ModelCard
from huggingface_hub.hf_api import RepoUrl

from playground.cli import main
from playground.errors import PlaygroundError
from playground.hub import push_run, upload_files
from tests.conftest import fast_config

MODEL_FILES = ["README.md", "config.json", "generation_config.json", "metrics.jsonl", "model.safetensors",
               "playground.json", "tokenizer.json", "tokenizer_config.json"]


@pytest.fixture(scope="module")
def run_folder(play_file, tmp_path_factory):
    """A finished 4-step run, with its checkpoint and the leftovers of a crash before it."""
    import os

    from playground.training import TrainingJob

    tmp = tmp_path_factory.mktemp("push")
    os.environ["PLAYGROUND_CACHE"] = str(tmp / "cache")
    out = tmp / "macbeth"
    TrainingJob(fast_config(play_file, out, max_steps=4, eval_every=2)).run()
    (out / "previous-metrics.jsonl").write_text("{}\n")
    return out


@pytest.fixture
def no_login(tmp_path, monkeypatch):
    """No token anywhere: not in the environment, not in a local login."""
    import huggingface_hub.constants as c

    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HUGGING_FACE_HUB_TOKEN", raising=False)
    monkeypatch.setattr(c, "HF_TOKEN_PATH", str(tmp_path / "no-token"))


@pytest.fixture
def online(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)


@pytest.fixture
def recorded(monkeypatch):
    """HfApi's repo and commit calls recorded instead of sent; the Hub counts as reachable."""
    calls = {}

    def create_repo(self, repo_id, **kw):
        calls["create_repo"] = dict(repo_id=repo_id, token=self.token, **kw)
        return RepoUrl(f"https://huggingface.co/{repo_id if '/' in repo_id else 'someone/' + repo_id}")

    def create_commit(self, repo_id, operations, **kw):
        calls["create_commit"] = dict(repo_id=repo_id, operations=operations, token=self.token, **kw)

    monkeypatch.setattr(HfApi, "create_repo", create_repo)
    monkeypatch.setattr(HfApi, "create_commit", create_commit)
    monkeypatch.setattr("playground.hub.hub_reachable", lambda: True)
    return calls


def test_the_files_pushed_are_the_model_without_checkpoints(run_folder):
    assert any(p.name.startswith("checkpoint-") for p in run_folder.iterdir())  # there, and left home
    assert (run_folder / "run.json").exists()
    assert upload_files(run_folder) == MODEL_FILES


def test_push_hands_huggingface_hub_the_files_the_card_and_no_paths(run_folder, recorded, online, no_login):
    url = push_run(run_folder, "macbeth-tiny", private=True, token="hf_session_token")
    assert url == "https://huggingface.co/someone/macbeth-tiny"
    repo = recorded["create_repo"]
    assert repo == dict(repo_id="macbeth-tiny", token="hf_session_token", private=True, exist_ok=True, repo_type="model")
    commit = recorded["create_commit"]
    assert commit["repo_id"] == "someone/macbeth-tiny" and commit["repo_type"] == "model"
    ops = {op.path_in_repo: op for op in commit["operations"]}
    assert sorted(ops) == MODEL_FILES
    assert ops["model.safetensors"].path_or_fileobj == str(run_folder / "model.safetensors")
    card = ModelCard(ops["README.md"].path_or_fileobj.decode())
    assert card.data.library_name == "transformers" and 'model="someone/macbeth-tiny"' in card.text
    pushed = json.loads(ops["playground.json"].path_or_fileobj)
    assert pushed["settings"]["corpus"] == ["macbeth.txt"] and pushed["settings"]["output"] == "macbeth"
    assert pushed["final_metrics"] == json.loads((run_folder / "playground.json").read_text())["final_metrics"]


def test_cli_push_uses_the_environments_token(run_folder, recorded, online, no_login, monkeypatch, capsys):
    monkeypatch.setenv("HF_TOKEN", "hf_from_env")
    assert main(["push", str(run_folder), "--repo-id", "me/macbeth"]) == 0
    assert capsys.readouterr().out.strip() == "https://huggingface.co/me/macbeth"
    assert recorded["create_repo"]["token"] == "hf_from_env" and recorded["create_repo"]["private"] is False


def _refused(capsys, *args) -> str:
    assert main(["push", *map(str, args)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1, err
    return err


def test_refused_without_a_token(run_folder, recorded, online, no_login, capsys):
    assert "without a Hugging Face token; set HF_TOKEN" in _refused(capsys, run_folder, "--repo-id", "me/macbeth")
    assert recorded == {}


def test_refused_offline(run_folder, recorded, monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_TOKEN", "hf_from_env")
    assert "HF_HUB_OFFLINE is set" in _refused(capsys, run_folder, "--repo-id", "me/macbeth")
    assert recorded == {}


def test_refused_when_the_hub_does_not_answer(run_folder, online, monkeypatch, capsys):
    # A real connection attempt, to a port nothing listens on: refused at once, never a hang.
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("HF_TOKEN", "hf_from_env")
    assert "did not answer within 2 s" in _refused(capsys, run_folder, "--repo-id", "me/macbeth")


def test_refused_bad_repo_names_and_unfinished_folders(run_folder, tmp_path, capsys):
    assert "is not a Hub repository name" in _refused(capsys, run_folder, "--repo-id", "me/x/y")
    (tmp_path / "metrics.jsonl").write_text("{}\n")
    assert "has no finished model to push yet" in _refused(capsys, tmp_path, "--repo-id", "me/macbeth")


def test_a_shared_host_pushes_only_the_sessions_own_runs(run_folder, tmp_path, recorded):
    with pytest.raises(PlaygroundError, match="not one of your runs"):
        push_run(run_folder, "me/macbeth", token="t", within=tmp_path)
    assert recorded == {}


def test_dry_run_lists_the_files(run_folder, capsys):
    assert main(["push", str(run_folder), "--repo-id", "me/macbeth", "--dry-run"]) == 0
    assert capsys.readouterr().out.split() == MODEL_FILES
