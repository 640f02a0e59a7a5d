#!/usr/bin/env python3
"""Min / median / max per-iteration time of the last criterion run of each
benchmark, as a Markdown table.

    cargo bench --bench lookup --bench plan --bench response --bench runtime
    python3 benches/summary.py [target/criterion]

Criterion keeps, for each benchmark, the samples of its last run in
`<target>/criterion/<id>/new/sample.json`: sample i ran iters[i]
iterations in times[i] nanoseconds. Each sample's mean time per iteration
is one observation; the table gives the smallest, the median and the
largest of them (criterion's own report gives a confidence interval of
the mean instead).
"""

import json
import os
import statistics
import sys


def human(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "target/criterion"
    rows = []
    for dirpath, _dirs, files in os.walk(root):
        if os.path.basename(dirpath) != "new" or "sample.json" not in files:
            continue
        with open(os.path.join(dirpath, "sample.json")) as f:
            sample = json.load(f)
        with open(os.path.join(dirpath, "benchmark.json")) as f:
            name = json.load(f)["full_id"]
        per_iter = sorted(t / n for t, n in zip(sample["times"], sample["iters"]) if n)
        if per_iter:
            rows.append((name, per_iter[0], statistics.median(per_iter), per_iter[-1]))
    if not rows:
        sys.exit(f"no criterion samples under {root}; run cargo bench first")
    print("| benchmark | min | median | max |")
    print("|---|---|---|---|")
    for name, lo, mid, hi in sorted(rows):
        print(f"| {name} | {human(lo)} | {human(mid)} | {human(hi)} |")


if __name__ == "__main__":
    main()
