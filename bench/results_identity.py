"""Check that a change leaves the audit's results unchanged.

Runs the four reference scenarios (default, null, smoke, own-model example) with the checkout
this script belongs to, and keeps what each run computed: ``audit_results.json`` (without the
``run`` block, which holds timings and the commit), ``ground_truth.json``,
``reference_profile.json``, ``data/feature_spec.json``, ``data/permutation_importance.json``
a content hash of ``data/predictions.parquet``, and the text of every rendered PDF (``pdftotext``,
one list of lines per document, with the run id masked). The checkout's own path is masked
everywhere and the audit date is pinned. A later ``compare`` of two snapshots lists
every key path whose value differs.

Usage::

    .venv/bin/python bench/results_identity.py snapshot /tmp/before           # on the old commit
    .venv/bin/python bench/results_identity.py snapshot /tmp/after            # on the new one
    .venv/bin/python bench/results_identity.py compare /tmp/before /tmp/after
    .venv/bin/python bench/results_identity.py compare A B --allow 'fairness.*.ece'

``compare`` exits 0 when every difference matches an ``--allow`` pattern (fnmatch over the
dotted key path), 1 otherwise; it prints each differing path with both values.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parent.parent
#: The audit date is fixed, so that snapshots taken on either side of midnight compare.
PINNED = ["--set", "report.audit_date=2026-12-01"]
SCENARIOS = {
    "default": ["--params", "params/default.yaml", *PINNED],
    "null": ["--params", "params/null_scenario.yaml", *PINNED],
    "smoke": ["--params", "params/smoke.yaml", *PINNED],
    "own_model": ["--params", "params/own_model.example.yaml", *PINNED],
}
ARTIFACTS = [
    "audit_results.json",
    "ground_truth.json",
    "reference_profile.json",
    "data/feature_spec.json",
    "data/permutation_importance.json",
]


def _predictions_digest(path: Path) -> str:
    import pandas as pd

    frame = pd.read_parquet(path)
    return hashlib.sha256(frame.to_csv(index=False).encode("utf-8")).hexdigest()


def _pdf_texts(run_dir: Path) -> dict[str, list[str]]:
    """The text of each PDF of the run, line by line, with the run id and the checkout's path masked
    (compare checkouts at paths of one length: a longer path lays a table out differently)."""
    run_id = run_dir.resolve().name
    texts = {}
    for pdf in sorted(run_dir.rglob("*.pdf")):
        done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
        texts[str(pdf.relative_to(run_dir))] = [line.rstrip().replace(run_id, "<run_id>").replace(str(ROOT), "<root>") for line in done.stdout.splitlines()]
    return texts


def snapshot(dest: Path, names: list[str]) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        with tempfile.TemporaryDirectory(prefix=f"identity-{name}-") as tmp:
            cmd = [sys.executable, "-m", "audit_helpers.cli", "run", *SCENARIOS[name], "--out", tmp]
            print(f"[{name}] hiring-audit {' '.join(cmd[4:])}", flush=True)
            done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
            if done.returncode != 0:
                sys.exit(f"[{name}] run failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
            run_dir = Path(tmp) / "latest"
            record: dict[str, Any] = {}
            for rel in ARTIFACTS:
                path = run_dir / rel
                if path.exists():
                    record[rel] = json.loads(path.read_text(encoding="utf-8"))
            record["audit_results.json"].pop("run", None)
            preds = run_dir / "data" / "predictions.parquet"
            record["predictions.parquet"] = _predictions_digest(preds) if preds.exists() else None
            record["pdf_text"] = _pdf_texts(run_dir)
            plan = run_dir / "monitoring_plan.yaml"  # its sha256 (in the results) names the checkout's paths it holds
            record["monitoring_plan.yaml"] = plan.read_text(encoding="utf-8").splitlines() if plan.exists() else None
            text = json.dumps(record, indent=1, sort_keys=True).replace(str(ROOT), "<root>")  # input paths
            (dest / f"{name}.json").write_text(text, encoding="utf-8")
            print(f"[{name}] kept {len(record)} artifacts", flush=True)


def _diff(a: Any, b: Any, path: str) -> Iterator[tuple[str, Any, Any]]:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            sub = f"{path}.{key}" if path else str(key)
            if key not in a or key not in b:
                yield sub, a.get(key, "<absent>"), b.get(key, "<absent>")
            else:
                yield from _diff(a[key], b[key], sub)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            yield from _diff(x, y, f"{path}[{i}]")
    elif a != b or type(a) is not type(b):
        yield path, a, b


def compare(before: Path, after: Path, allow: list[str]) -> int:
    unexpected = 0
    for old in sorted(before.glob("*.json")):
        new = after / old.name
        if not new.exists():
            print(f"{old.stem}: missing in {after}")
            unexpected += 1
            continue
        diffs = list(_diff(json.loads(old.read_text()), json.loads(new.read_text()), ""))
        allowed = [d for d in diffs if any(fnmatch.fnmatchcase(d[0], pat) for pat in allow)]
        others = [d for d in diffs if d not in allowed]
        print(f"{old.stem}: {len(diffs)} differing values ({len(allowed)} allowed, {len(others)} not)")
        for path, x, y in others[:200]:
            print(f"  {path}: {json.dumps(x)[:120]} -> {json.dumps(y)[:120]}")
        unexpected += len(others)
    print("identical apart from allowed paths" if unexpected == 0 else f"{unexpected} unexpected differences")
    return 0 if unexpected == 0 else 1


def rows(quick: bool) -> list[dict]:
    """Table rows (``bench/run.py``): the smoke scenario run twice must give identical results
    (determinism; skipped with ``--quick``, two audit runs take a few minutes)."""
    from _shared import row

    if quick:
        return [row("results_identity", "two smoke runs, differing values", None, "paths", note="skipped with --quick")]
    with tempfile.TemporaryDirectory(prefix="identity-bench-") as tmp:
        for side in ("a", "b"):
            snapshot(Path(tmp) / side, ["smoke"])
        a, b = (json.loads((Path(tmp) / side / "smoke.json").read_text()) for side in ("a", "b"))
        diffs = list(_diff(a, b, ""))
    return [row("results_identity", "two smoke runs, differing values (same params and seed)", len(diffs), "paths", reference=0,
                note="audit_results.json without the run block, ground truth, profile, spec, importance, predictions")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    snap = sub.add_parser("snapshot", help="run the scenarios and keep their results")
    snap.add_argument("dest", type=Path)
    snap.add_argument("--only", nargs="*", choices=sorted(SCENARIOS), default=list(SCENARIOS))
    cmp_ = sub.add_parser("compare", help="list the key paths whose values differ")
    cmp_.add_argument("before", type=Path)
    cmp_.add_argument("after", type=Path)
    cmp_.add_argument("--allow", action="append", default=[], metavar="PATTERN")
    args = parser.parse_args(argv)
    if args.command == "snapshot":
        snapshot(args.dest, args.only)
        return 0
    return compare(args.before, args.after, args.allow)


if __name__ == "__main__":
    sys.exit(main())
