"""Where the period file goes (inside content/complaints/ only) and writing it atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from builder.codes import say
from builder.errors import Message, OutputError
from builder.i18n import _


def target_path(site_dir: Path, out: Path | None, force: bool, period_key: str,
                bad: Callable[[str, Message], None]) -> tuple[Path, str]:
    """The file to write and how messages show it; every reason to refuse it goes to `bad`."""
    folder = site_dir / "content" / "complaints"
    target = out if out is not None else folder / f"{period_key or 'period'}.yaml"
    shown = (target.as_posix() if out is not None
             else (Path("content") / "complaints" / target.name).as_posix())
    site = site_dir.resolve()
    resolved_folder = folder.resolve()
    if not resolved_folder.is_relative_to(site):
        bad("--out", say("GS704", "{folder} leads outside the site folder (a link): the file is not written there",
                         folder=folder.as_posix()))
        return target, shown
    if out is not None:
        parent = out.absolute().parent.resolve()
        if not parent.is_relative_to(resolved_folder):
            example = f"{folder.as_posix()}/{period_key or '2026-11'}/秦川镇.yaml"
            bad("--out", say("GS704", "{out} is not in {folder}/: complaint files live there (or in its sub-folders, "
                                      "e.g. one file per district: {example})", out=out.as_posix(),
                             folder=folder.as_posix(), example=example))
            return target, shown
        inside = parent.relative_to(resolved_folder).parts
        if any(part.startswith(".") for part in inside):
            bad("--out", say("GS704", "{out}: a folder whose name starts with `.` is not read", out=out.as_posix()))
            return target, shown
        if target.suffix not in (".yaml", ".yml") or target.name.startswith("."):
            bad("--out", say("GS704", "{name}: a period file is named like 2026-09.yaml (ending .yaml or .yml)",
                             name=target.name))
            return target, shown
        shown = Path("content", "complaints", *inside, target.name).as_posix()
    if target.is_symlink() or (target.exists() and not target.is_file()):
        bad("--out", say("GS704", "{path} exists and is not a regular file (a link or a folder): not replaced",
                         path=shown))
    elif target.exists() and not force:
        bad("--out", say("GS704", "{path} already exists: give --force to replace it (nothing was written)",
                         path=shown))
    return target, shown


def write_atomically(target: Path, data: bytes, force: bool, shown: str) -> None:
    """Write a temporary file beside the target, then rename it over; on any failure nothing is left behind."""
    created: list[Path] = []  # the folders to make, outermost first (content/complaints/ and a sub-folder)
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        created.insert(0, folder)
        folder = folder.parent
    temporary: Path | None = None
    done = False
    try:
        for folder in created:
            folder.mkdir()
        handle, name = tempfile.mkstemp(prefix=".gongshi-import-", suffix=".tmp", dir=target.parent)
        temporary = Path(name)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        if target.exists() and not force:
            raise FileExistsError(17, _("the file appeared while importing; give --force to replace it"))
        os.replace(temporary, target)
        done = True
    except OSError as exc:
        raise OutputError(shown, _("cannot write the file: {reason}; content/ was left as it was").format(
            reason=exc.strerror or exc)) \
            from None
    finally:
        if not done:
            if temporary is not None:
                temporary.unlink(missing_ok=True)
            for folder in reversed(created):
                if folder.exists() and not any(folder.iterdir()):
                    folder.rmdir()
