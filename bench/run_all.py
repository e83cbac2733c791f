"""Run every benchmark in ``bench/`` one after the other.

Usage: ``.venv/bin/python bench/run_all.py [--quick] [name ...]`` (``make bench``;
names such as ``search`` pick some of the benchmarks).  Each
``bench/<area>.py`` is run with the same Python and, with ``--quick``, its own
``--quick`` mode; a benchmark that fails or exceeds its time limit is reported
and the others still run.  The exit status is non-zero when any failed.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# A full run of one benchmark builds its data (89,086 people) and measures two
# databases; a quick run should take a few minutes at most.
LIMIT_S = {"quick": 20 * 60, "full": 90 * 60}


def benchmarks():
    return sorted(
        p for p in HERE.glob("*.py") if p.name != Path(__file__).name and not p.name.startswith("_")
    )


def main():
    parser = argparse.ArgumentParser(description="run every bench/*.py")
    parser.add_argument("--quick", action="store_true", help="pass --quick to each benchmark")
    parser.add_argument("names", nargs="*", help="only these benchmarks (file names without .py)")
    args = parser.parse_args()
    limit = LIMIT_S["quick" if args.quick else "full"]
    scripts = [p for p in benchmarks() if not args.names or p.stem in args.names]
    if not scripts:
        parser.error(f"no benchmark named {' '.join(args.names)}")
    outcome = {}
    for script in scripts:
        cmd = [sys.executable, str(script)] + (["--quick"] if args.quick else [])
        print(f"=== {script.name} {' '.join(cmd[2:])}", flush=True)
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=HERE.parent)
        try:
            code = proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            # SIGTERM first: the benchmark stops the servers it started
            proc.terminate()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            code = "timeout"
        outcome[script.name] = (code, time.perf_counter() - started)
    print("\n=== summary")
    for name, (code, seconds) in outcome.items():
        print(f"  {name:24} {'ok' if code == 0 else f'FAILED ({code})':14} {seconds:6.0f} s")
    return 0 if all(code == 0 for code, _ in outcome.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
