"""PROMETHEUS_MULTIPROC_DIR for the workers, set up before prometheus_client is imported.

prometheus_client decides once, when it is imported, whether values go to files in that
directory (shared by the workers) or stay in the process: app/server.py calls `prepare_dir`
before it starts the workers or imports anything of prometheus_client.
"""

import os
import shutil
import tempfile
from pathlib import Path

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


def prepare_dir() -> Path | None:
    """Sets PROMETHEUS_MULTIPROC_DIR (a new temporary directory unless it is set) and empties
    it; returns the directory when it was made here (for the caller to remove)."""
    configured = os.environ.get(MULTIPROC_DIR)
    if not configured:
        made = Path(tempfile.mkdtemp(prefix="todo-metrics-"))
        os.environ[MULTIPROC_DIR] = str(made)
        return made
    directory = Path(configured)
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    return None


def remove(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)
