"""The trash of SITE_DIR/.gongshi/: folders that builds threw away, deleted in the background."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path


def throw_away(folder: Path, trash: Path) -> None:
    """Move a folder into the trash and delete it in the background (or here, when it cannot be moved)."""
    try:
        trash.mkdir(parents=True, exist_ok=True)
        holder = Path(tempfile.mkdtemp(prefix="tree-", dir=trash))
        os.replace(folder, holder / "tree")
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return
    threading.Thread(target=shutil.rmtree, args=(holder,), kwargs={"ignore_errors": True}, daemon=True).start()


def empty_trash(trash: Path) -> None:
    """Delete, in the background, what earlier builds threw away and could not finish deleting."""
    if trash.is_dir():
        for entry in list(trash.iterdir()):
            threading.Thread(target=shutil.rmtree, args=(entry,), kwargs={"ignore_errors": True}, daemon=True).start()
