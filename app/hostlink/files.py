"""Where an extract file goes: the inbox and, beside it, ``archive/``,
``rejected/`` and ``held/``; and its ``.END`` trigger file."""

import logging
import shutil
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)


def folders():
    """The inbox and, beside it, ``archive/``, ``rejected/`` and ``held/``."""
    inbox = Path(current_app.config["HOST_INBOX_DIR"])
    return {
        "inbox": inbox,
        "archive": inbox.parent / "archive",
        "rejected": inbox.parent / "rejected",
        "held": inbox.parent / "held",
    }


def trigger_path(path):
    """The ``.END`` file that says ``path`` has been written completely."""
    path = Path(path)
    return path.with_suffix(".end" if path.suffix.islower() else ".END")


def _free_name(folder, name, run_id):
    target = folder / name
    if target.exists():
        target = folder / f"{Path(name).stem}.run{run_id}{Path(name).suffix}"
    return target


def place(folder_key, run_id, file_name, source=None, data=None, move=False):
    """Put the file into one of :func:`folders`; return where it went.

    :param source: the file's path; moved when ``move``, else copied.
    :param data: the bytes, when there is no file (an upload).
    """
    folder = folders()[folder_key]
    folder.mkdir(parents=True, exist_ok=True)
    target = _free_name(folder, file_name, run_id)
    if source is not None and move:
        shutil.move(str(source), target)
        end = trigger_path(source)
        if end.exists():
            shutil.move(str(end), target.with_suffix(trigger_path(target).suffix))
    elif source is not None:
        shutil.copyfile(source, target)
    else:
        target.write_bytes(data)
    return target


def file_away(folder_key, run_id, file_name, source=None, data=None):
    """Move (or write) a file whose run has ended to its folder; the run's
    outcome stands even if that fails, so a failure is only logged."""
    try:
        return place(folder_key, run_id, file_name, source=source, data=data, move=True)
    except OSError:
        log.exception("import run %s: could not move the file to %s/", run_id, folder_key)
        return None
