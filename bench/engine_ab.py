"""Benchmark: ``hiring-audit run`` (default parameters, every render and PDF) as a whole process,
this checkout against an earlier revision, alternated in pairs on the same machine.

Machines here are shared and noisy: read the ratio of the paired means, not the seconds.

Usage::

    .venv/bin/python bench/engine_ab.py --before f50fd6f --pairs 3
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from default_run import ROOT, _process  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, help="the revision to compare with (a commit or branch)")
    parser.add_argument("--pairs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-ab-") as tmp:
        old = Path(tmp) / "before"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(old), args.before], cwd=ROOT, check=True)
        try:
            _process(ROOT, Path(tmp) / "warm-up")  # the first run of a session compiles and caches; not counted
            ours, theirs = [], []
            for i in range(args.pairs):
                theirs.append(_process(old, Path(tmp) / f"before-{i}"))
                ours.append(_process(ROOT, Path(tmp) / f"ours-{i}"))
                print(f"pair {i + 1}: ours {ours[-1]:.1f} s, before {theirs[-1]:.1f} s", flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, check=False)
    ratio = statistics.mean(ours) / statistics.mean(theirs)
    print(f"mean ours {statistics.mean(ours):.1f} s, before ({args.before}) {statistics.mean(theirs):.1f} s, ratio {ratio:.3f}")
    print("per pair: " + ", ".join(f"{a / b:.3f}" for a, b in zip(ours, theirs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
