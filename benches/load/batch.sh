#!/usr/bin/env bash
# The batch path beside the library, in one run against one local canned
# server: commands/s of `Harness::command` (examples/load) and of
# `falcon-harness --batch` with the same operation and arguments, at
# concurrency 1 and 64; and the cost of `--batch --dry-run` per line for
# QueryIncidents, GetIncidents and GetObject lines, as wall-clock time and
# as CPU time (user + system: on a machine shared with other work the
# wall clock includes waiting for a core). Prints a Markdown report on
# stdout; progress on stderr.
#
# The library's figure is its timed loop (examples/load starts its runtime,
# client and token before the clock starts). The batch is one process
# timed from start to exit, so it is shown twice: whole, and per line after
# start-up, where each run's time for a one-line batch (process start,
# client, token, one command) is taken off and the line count is one less.
# The ratio to the library is given for both.
#
#   bash benches/load/batch.sh        # REPS=3 COMMANDS=10000 DRY_LINES=200000
set -euo pipefail
cd "$(dirname "$0")/../.."
REPS=${REPS:-3}
COMMANDS=${COMMANDS:-10000}
DRY_LINES=${DRY_LINES:-200000}

echo "building (release) ..." >&2
cargo build -q --release --example canned_server --example load --bin falcon-harness
. benches/load/common.sh
start_server
URL=$SERVER_URL

now() { date +%s.%N; }

# The library's arguments (examples/load.rs args_for), one line each.
python3 - "$COMMANDS" > "$TMP/query.jsonl" <<'PY'
import json, sys
for i in range(int(sys.argv[1])):
    print(json.dumps({"id": i, "op": "QueryIncidents", "args": {"filter": "status:20", "limit": 5}}))
PY
head -n 1 "$TMP/query.jsonl" > "$TMP/one.jsonl"
python3 - "$DRY_LINES" "$TMP" <<'PY'
import json, sys
n, tmp = int(sys.argv[1]), sys.argv[2]
ids = ["inc:0123456789abcdef0123456789abcdef:00000000000000000000000000000001",
       "inc:0123456789abcdef0123456789abcdef:00000000000000000000000000000002"]
lines = {
    "QueryIncidents": lambda i: {"id": i, "op": "QueryIncidents", "args": {"filter": "status:20", "limit": 5, "offset": i}},
    "GetIncidents": lambda i: {"id": i, "op": "GetIncidents", "args": {"ids": ids}},
    "GetObject": lambda i: {"id": i, "op": "GetObject", "args": {"collection_name": "inventory", "object_key": f"obj-{i}"}},
}
for op, make in lines.items():
    with open(f"{tmp}/dry-{op}.jsonl", "w") as f:
        for i in range(n):
            f.write(json.dumps(make(i)) + "\n")
PY

echo "## Batch figures"
echo
echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start; $(rustc --version)."
echo "Server: examples/canned_server (1 worker thread) on 127.0.0.1. Each cell: min / median / max of $REPS runs."
echo
echo "| concurrency | library, commands/s | --batch, commands/s, whole process | --batch, commands/s after start-up | --batch / library (medians: whole, after start-up) | CPU µs per command, library / --batch after start-up (medians) |"
echo "|---|---|---|---|---|---|"
TIMEFORMAT='%R %U %S'
batch_time() { # CONCURRENCY INPUT -> "wall user sys" of one --batch run, output in $TMP/batch.out
  { time FALCON_CLIENT_ID=bench FALCON_CLIENT_SECRET=bench \
    "$BIN/falcon-harness" --quiet --batch --concurrency "$1" --base-url "$URL" < "$2" > "$TMP/batch.out"; } 2>&1
}
for c in 1 64; do
  lib=(); bat=(); net=(); lcpu=(); bcpu=()
  for _ in $(seq "$REPS"); do
    j=$("$BIN/examples/load" "$URL" harness QueryIncidents "$c" "$COMMANDS")
    lib+=("$(field "$j" req_s)"); lcpu+=("$(field "$j" cpu_us_per_cmd)")
    read -r r1 u1 s1 <<< "$(batch_time "$c" "$TMP/one.jsonl")"
    read -r r u sy <<< "$(batch_time "$c" "$TMP/query.jsonl")"
    ok=$(grep -c '"status_code":200' "$TMP/batch.out" || true)
    [ "$ok" = "$COMMANDS" ] || echo "warning: only $ok of $COMMANDS batch lines succeeded" >&2
    bat+=("$(python3 -c "print($COMMANDS/$r)")")
    net+=("$(python3 -c "print(($COMMANDS - 1)/max($r - $r1, 1e-3))")")
    bcpu+=("$(python3 -c "print(max($u + $sy - $u1 - $s1, 0)*1e6/($COMMANDS - 1))")")
    echo "  c=$c library ${lib[-1]} batch ${bat[-1]} (after start-up ${net[-1]}; one line took ${r1} s)" >&2
  done
  ratio=$(python3 -c "print(f'{$(median "${bat[@]}") / $(median "${lib[@]}"):.2f}, {$(median "${net[@]}") / $(median "${lib[@]}"):.2f}')")
  cpu=$(python3 -c "print(f'{$(median "${lcpu[@]}"):.1f} / {$(median "${bcpu[@]}"):.1f}')")
  echo "| $c | $(spread 0 "${lib[@]}") | $(spread 0 "${bat[@]}") | $(spread 0 "${net[@]}") | $ratio | $cpu |"
done
echo
echo "| --batch --dry-run, $DRY_LINES lines of | µs per line, wall clock | µs per line, CPU (user + system) |"
echo "|---|---|---|"
for op in QueryIncidents GetIncidents GetObject; do
  wall=(); cpu=()
  for _ in $(seq "$REPS"); do
    t=$( { time "$BIN/falcon-harness" --quiet --batch --dry-run --base-url "$URL" < "$TMP/dry-$op.jsonl" > /dev/null; } 2>&1 )
    read -r r u sy <<< "$t"
    wall+=("$(python3 -c "print($r*1e6/$DRY_LINES)")")
    cpu+=("$(python3 -c "print(($u+$sy)*1e6/$DRY_LINES)")")
  done
  echo "| $op | $(spread 2 "${wall[@]}") | $(spread 2 "${cpu[@]}") |"
done
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
