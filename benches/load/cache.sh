#!/usr/bin/env bash
# First-level cache misses per command with many commands in flight: the
# part of the CPU time per command that instructions do not show.
# Valgrind's cachegrind (`--cache-sim=yes`) simulates this machine's
# 32 KiB instruction and data caches over every instruction the client
# runs, so the counts, like callgrind's, do not move with the machine's
# load. Raw reqwest 0.12 (the raw mode of examples/load: one prepared
# request cloned per send) against the harness (status read), against
# examples/canned_server on 127.0.0.1.
#
# Each figure is (count for 2,500 commands - count for 500) / 2,000, the
# median of REPS runs (default 3). Prints one Markdown table: instructions,
# instruction-cache misses and data-cache misses (reads and writes) per
# command, and "cycles, rough": instructions + 10 x misses, a miss served
# by the 1 MiB L2 costing about ten cycles. A rough model only: it sets
# the two clients side by side, it does not predict a throughput.
#
#   bash benches/load/cache.sh                 # both operations, 64 in flight
#   C=8 REPS=1 bash benches/load/cache.sh GetIncidents
#
# Needs valgrind (Debian package; installed when missing and run as root).
set -euo pipefail
shopt -s inherit_errexit # a failing count stops the script
cd "$(dirname "$0")/../.."
. benches/load/common.sh
need_valgrind
cargo build -q --release --example canned_server --example load
start_server
C=${C:-64}

counts() { # MODE OP N -> "instructions I1-misses D1-misses"
  if ! valgrind --tool=cachegrind --cache-sim=yes --cachegrind-out-file=/dev/null \
    "$BIN/examples/load" "$SERVER_URL" "$1" "$2" "$C" "$3" >/dev/null 2>"$TMP/err"; then
    echo "cache.sh: failed: load $*" >&2
    grep -v '^==' "$TMP/err" >&2 || true
    return 1
  fi
  python3 - "$TMP/err" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def count(name):
    return int(re.search(name + r":\s+([\d,]+)", text).group(1).replace(",", ""))
print(count("I   refs"), count("I1  misses"), count("D1  misses"))
PY
}
per_command() { # MODE OP -> median "instructions I1 D1" per command
  local rows=()
  for _ in $(seq "${REPS:-3}"); do
    rows+=("$(counts "$1" "$2" 500) $(counts "$1" "$2" 2500)")
  done
  python3 - "${rows[@]}" <<'PY'
import statistics, sys
runs = [[int(x) for x in r.split()] for r in sys.argv[1:]]
print(*(round(statistics.median((r[i + 3] - r[i]) / 2000 for r in runs)) for i in range(3)))
PY
}

echo "| op | in flight | client | instructions | I1 misses | D1 misses | cycles, rough | harness / raw |"
echo "|---|---|---|---|---|---|---|---|"
for op in ${@:-QueryIncidents GetIncidents}; do
  raw=$(per_command raw "$op")
  harness=$(per_command harness "$op")
  read -r ri r1 rd <<<"$raw"
  read -r hi h1 hd <<<"$harness"
  python3 - "$op" "$C" "$ri" "$r1" "$rd" "$hi" "$h1" "$hd" <<'PY'
import sys
op, c, *v = sys.argv[1:]
ri, r1, rd, hi, h1, hd = map(int, v)
rough = lambda i, m1, m2: i + 10 * (m1 + m2)
r, h = rough(ri, r1, rd), rough(hi, h1, hd)
print(f"| {op} | {c} | raw reqwest 0.12 | {ri / 1000:.1f}k | {r1} | {rd} | {r / 1000:.1f}k | |")
print(f"| {op} | {c} | falcon-harness | {hi / 1000:.1f}k | {h1} | {hd} | {h / 1000:.1f}k "
      f"| {hi / ri:.2f} instructions, {h1 / r1:.2f} I1, {hd / rd:.2f} D1, {h / r:.2f} rough |")
PY
done
