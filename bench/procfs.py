"""Reading a process tree's memory and CPU from Linux ``/proc`` (the benchmarks'
own measurements; elsewhere the readings are empty or zero)."""

import contextlib
import os
from pathlib import Path


def process_tree(pid):
    """``pid`` and every process below it."""
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            # A process that ended meanwhile has no children file any more.
            with contextlib.suppress(OSError):
                todo.extend(int(c) for c in task.read_text().split())
    return pids


def _status_kb(pid, field):
    """One ``kB`` line of ``/proc/<pid>/status`` (0 when the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def rss_kb(pid):
    """Resident memory of one process in kB (0 when it is gone)."""
    return _status_kb(pid, "VmRSS:")


def rss_anon_kb(pid):
    """The anonymous part of a process's resident memory in kB (the heap:
    what Python and the C libraries allocated, not mapped files), 0 when gone."""
    return _status_kb(pid, "RssAnon:")


def cpu_seconds(pid):
    """User + system CPU seconds of ``pid`` and the processes below it, or
    ``None`` when ``/proc`` cannot be read."""
    try:
        total = 0
        for proc in process_tree(pid):
            fields = Path(f"/proc/{proc}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def named_cpu_seconds(name):
    """CPU seconds of every process whose command is ``name`` (e.g. the
    database server's ``postgres`` processes), those that ended excluded."""
    total = 0
    for comm in Path("/proc").glob("[0-9]*/comm"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if comm.read_text().strip() == name:
                fields = (comm.parent / "stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds():
    """CPU seconds the whole machine spent busy (all cores, all processes),
    from ``/proc/stat``: what else ran beside a benchmark shows here."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
