"""Shared fixtures: the repository, the CLI binary, and one shipped-model labeler per session."""

import os
import subprocess
from pathlib import Path

import pytest

import privclause

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "datasets" / "seeds"
CAPP = REPO.parent / "shared" / "corpora" / "capp130" / "policies"


def cli_binary() -> Path:
    """The CLI the records are compared with: $PRIVCLAUSE_BIN, else target/release/privclause."""
    path = Path(os.environ.get("PRIVCLAUSE_BIN", REPO / "target" / "release" / "privclause"))
    if not path.exists():
        subprocess.run(["cargo", "build", "--release"], cwd=REPO, check=True)
    return path


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(cli_binary()), *args], cwd=REPO, capture_output=True, check=True, text=True
    )


@pytest.fixture(scope="session")
def labeler() -> privclause.Labeler:
    return privclause.Labeler(threads=2)
