"""`python -m playground push FOLDER --repo-id NAME [--private]`: a finished run to the Hugging Face Hub.

The model, tokenizer, card (README.md) and metrics go up in one commit; checkpoints and optimizer states stay
home (playground.hub.upload_files). The token is HF_TOKEN's or the local login's (`hf auth login`).
"""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("folder", metavar="FOLDER", help="a finished run's output folder")
    p.add_argument("--repo-id", required=True, metavar="NAME", help="the Hub model repo: 'name' or 'user/name' (created when missing)")
    p.add_argument("--private", action="store_true", help="create the repo private (an existing repo keeps its visibility)")
    p.add_argument("--dry-run", action="store_true", help="list the files that would be pushed, and push nothing")


def run(args: argparse.Namespace) -> int:
    from playground.hub import push_run, upload_files

    if args.dry_run:
        print("\n".join(upload_files(args.folder)))
        return 0
    print(push_run(args.folder, args.repo_id, private=args.private))
    return 0
