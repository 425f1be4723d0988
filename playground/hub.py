"""Push a finished run to the Hugging Face Hub: the model, its tokenizer, its card and metrics, no checkpoints.

One commit through huggingface_hub (create_repo, then create_commit with one CommitOperationAdd per file), so
the files pushed are exactly `upload_files(folder)`: what the Runs tab lists before the button is pressed.
The card (README.md) is rewritten for the repo (its usage snippet names the repo id) and playground.json
carries file names instead of this machine's paths; the run folder itself is not changed.

Refusals are one sentence each, before anything is sent: no finished model, a bad repo name, HF_HUB_OFFLINE
set, no token, the Hub not answering within models.HUB_TIMEOUT_S seconds (never a hang).
"""

from __future__ import annotations

import fnmatch
import json
import os
from pathlib import Path

from playground.errors import PlaygroundError
from playground.models import HUB_TIMEOUT_S, hub_offline, hub_reachable
from playground.runs import FINISHED_FILE, RUN_FILE, without_paths

# What stays home (matched against every part of a path): checkpoints with their optimizer states, a save or a
# probe under way (.saving, .write-test), the run's live status, a crashed run's old metrics, and Trainer's
# resumable state should one be found outside a checkpoint folder.
NOT_PUSHED = ("checkpoint-*", ".*", RUN_FILE, "previous-metrics.jsonl", "optimizer.pt", "scheduler.pt",
              "rng_state*.pth", "trainer_state.json", "training_args.bin", "*.zip")


def upload_files(folder: str | os.PathLike) -> list[str]:
    """The files a push uploads (paths relative to `folder`, with /), sorted; refused when no model is saved."""
    folder = Path(folder)
    if not (folder / FINISHED_FILE).is_file() or not (folder / "config.json").is_file():
        raise PlaygroundError(f"'{folder.name}' has no finished model to push yet; wait for it to be saved.")
    out = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not any(fnmatch.fnmatch(part, pattern) for part in rel.parts for pattern in NOT_PUSHED):
            out.append(rel.as_posix())
    return out


def hub_token(token: str | None = None) -> str:
    """`token` (on a Space: the signed-in user's, from gr.OAuthToken), else HF_TOKEN or the local login."""
    from huggingface_hub import get_token

    token = token or get_token()
    if not token:
        raise PlaygroundError("Cannot push without a Hugging Face token; set HF_TOKEN or log in with `hf auth login` "
                              "(on a Space, sign in with the Hugging Face button).")
    return token


def check_repo_id(repo_id: str) -> str:
    """`repo_id` ('name' or 'user/name') when the Hub would accept it, else one sentence."""
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    repo_id = (repo_id or "").strip()
    try:
        validate_repo_id(repo_id)
        valid = bool(repo_id)
    except HFValidationError:
        valid = False
    if not valid:
        raise PlaygroundError(f"'{repo_id}' is not a Hub repository name; use letters, digits, '-', '_' and '.', "
                              f"as 'my-model' or 'user/my-model'.")
    return repo_id


def check_hub_reachable() -> None:
    """Refuse at once when the Hub is off limits (HF_HUB_OFFLINE) or does not answer within HUB_TIMEOUT_S."""
    if hub_offline():
        raise PlaygroundError("Cannot push: HF_HUB_OFFLINE is set, so nothing may reach the Hugging Face Hub; "
                              "unset it and try again.")
    if not hub_reachable():
        raise PlaygroundError(f"Cannot push: the Hugging Face Hub did not answer within {HUB_TIMEOUT_S:g} s; "
                              f"check the internet connection and try again.")


def push_run(folder: str | os.PathLike, repo_id: str, private: bool = False, token: str | None = None,
             within: str | os.PathLike | None = None) -> str:
    """Push the finished model in `folder` to the Hub repo `repo_id` (created when missing); returns its URL.

    `token` is the Hub token to push with (None: HF_TOKEN or the local login). `within` (a shared host: the
    session's own runs folder) refuses any folder outside it.
    """
    import httpx
    from huggingface_hub import CommitOperationAdd, HfApi
    from huggingface_hub.errors import HfHubHTTPError

    from playground.model_card import model_card

    folder = Path(folder)
    if within is not None and not folder.resolve().is_relative_to(Path(within).resolve()):
        raise PlaygroundError(f"'{folder.name}' is not one of your runs; you can push only the runs you trained.")
    files = upload_files(folder)
    repo_id = check_repo_id(repo_id)
    if hub_offline():  # said before the token, which an offline machine may well lack too
        check_hub_reachable()
    token = hub_token(token)
    check_hub_reachable()

    info = json.loads((folder / FINISHED_FILE).read_text(encoding="utf-8"))
    api = HfApi(token=token)
    try:
        url = api.create_repo(repo_id, private=private, exist_ok=True, repo_type="model")
        repo_id = url.repo_id  # 'name' becomes 'user/name'
        shared = info | {"settings": without_paths(info.get("settings", {}))}
        replaced = {"README.md": str(model_card(info, folder.name, repo_id)).encode(),
                    FINISHED_FILE: json.dumps(shared, indent=2).encode()}
        operations = [CommitOperationAdd(path_in_repo=rel, path_or_fileobj=replaced.get(rel, str(folder / rel)))
                      for rel in files]
        if "README.md" not in files:  # a run saved before cards existed gets one on the Hub
            operations.append(CommitOperationAdd(path_in_repo="README.md", path_or_fileobj=replaced["README.md"]))
        api.create_commit(repo_id, operations, commit_message=f"Upload {folder.name} from the GPT-2 Playground",
                          repo_type="model")
    except HfHubHTTPError as e:
        status = getattr(e.response, "status_code", None)
        if status in (401, 403):
            raise PlaygroundError(f"The Hub refused the token for '{repo_id}' (HTTP {status}); use a token with write "
                                  f"access to that namespace.") from None
        raise PlaygroundError(f"The Hub refused the push to '{repo_id}': {str(e).splitlines()[0][:200]}") from None
    except (httpx.HTTPError, OSError):  # the connection dropped or timed out midway
        raise PlaygroundError(f"The push to '{repo_id}' failed: the connection broke off or timed out; check it and try "
                              "again.") from None
    return str(url)
