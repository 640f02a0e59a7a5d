#!/usr/bin/env bash
# One run of every load figure, side by side, against one local canned
# server on 127.0.0.1: wrk (the server's own limit), raw reqwest (the client
# stack's limit), falcon-harness (library and CLI) and the Python SDK's Uber
# class. Prints a Markdown report on stdout; progress on stderr.
#
#   bash benches/load/run.sh            # REPS=5 COMMANDS=50000 by default
#
# Needs: wrk, hyperfine (Debian packages), python3 with crowdstrike-falconpy
# (pip). Installs what is missing when run as root.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPS=${REPS:-5}
COMMANDS=${COMMANDS:-50000}
PY_COMMANDS=${PY_COMMANDS:-2000}
DURATION=${DURATION:-5}

need() { command -v "$1" >/dev/null 2>&1; }
if ! need wrk || ! need hyperfine; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq >/dev/null && apt-get install -y -qq wrk hyperfine >/dev/null; fi
fi
if ! python3 -c 'import falconpy' 2>/dev/null; then
  pip install -q crowdstrike-falconpy >/dev/null 2>&1 || echo "falconpy not installed; its rows are skipped" >&2
fi

echo "building (release) ..." >&2
cargo build -q --release --example canned_server --example load --bin falcon-harness
. benches/load/common.sh
start_server
URL=$SERVER_URL

# ratio NUMERATOR_RUNS DENOMINATOR_RUNS (space-separated): median / median.
ratio() { python3 -c "print(f'{$(median $1) / $(median $2):.2f}')"; }

cat > "$TMP/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"ids":["inc:0123456789abcdef0123456789abcdef:00000000000000000000000000000001","inc:0123456789abcdef0123456789abcdef:00000000000000000000000000000002"]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer canned-token-1"
LUA

echo "## Load figures"
echo
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr); $(rustc --version)."
echo "Server: examples/canned_server (hyper, 1 worker thread) on 127.0.0.1. Each cell: min / median / max of $REPS runs; requests/s."
echo
echo "| op | concurrency | wrk (server limit) | raw reqwest | falcon-harness | harness / raw (median) | harness, body read | body read / raw (median) |"
echo "|---|---|---|---|---|---|---|---|"
for op in QueryIncidents GetIncidents; do
  for c in 1 8 64; do
    w=(); r=(); h=(); hj=()
    for _ in $(seq "$REPS"); do
      if [ "$op" = QueryIncidents ]; then
        out=$(wrk -t1 -c"$c" -d"${DURATION}s" -H "Authorization: Bearer canned-token-1" "$URL/incidents/queries/incidents/v1?filter=status%3A20&limit=5")
      else
        out=$(wrk -t1 -c"$c" -d"${DURATION}s" -s "$TMP/post.lua" "$URL/incidents/entities/incidents/GET/v1")
      fi
      w+=("$(echo "$out" | awk '/Requests\/sec/{print $2}')")
      echo "  $op c=$c wrk ${w[-1]}" >&2
      j=$("$BIN/examples/load" "$URL" raw "$op" "$c" "$COMMANDS"); r+=("$(field "$j" req_s)")
      j=$("$BIN/examples/load" "$URL" harness "$op" "$c" "$COMMANDS"); h+=("$(field "$j" req_s)")
      j=$("$BIN/examples/load" "$URL" harness-json "$op" "$c" "$COMMANDS"); hj+=("$(field "$j" req_s)")
      echo "  $op c=$c raw ${r[-1]} harness ${h[-1]} harness-json ${hj[-1]}" >&2
    done
    echo "| $op | $c | $(spread 0 "${w[@]}") | $(spread 0 "${r[@]}") | $(spread 0 "${h[@]}") | $(ratio "${h[*]}" "${r[*]}") | $(spread 0 "${hj[@]}") | $(ratio "${hj[*]}" "${r[*]}") |"
  done
done
echo

# The same client loops with the server pinned to CPU 0 and the client to
# CPU 1: the client is then alone on its core, and its CPU time per
# command is what the harness costs beside raw reqwest.
if [ "$(nproc)" -ge 2 ] && need taskset; then
  start_server taskset -c 0
  PSERVER=$SERVER_PID
  PURL=$SERVER_URL
  echo "### Pinned: server on CPU 0, client on CPU 1"
  echo
  echo "Each cell: min / median / max of $REPS runs of $COMMANDS commands. CPU: user + system time of the client process per command, in microseconds."
  echo
  echo "| op | concurrency | raw req/s | harness req/s | harness / raw (median) | raw CPU µs/cmd | harness CPU µs/cmd |"
  echo "|---|---|---|---|---|---|---|"
  for op in QueryIncidents GetIncidents; do
    for c in 1 8 64; do
      r=(); h=(); rc=(); hc=()
      for _ in $(seq "$REPS"); do
        j=$(taskset -c 1 "$BIN/examples/load" "$PURL" raw "$op" "$c" "$COMMANDS"); r+=("$(field "$j" req_s)"); rc+=("$(field "$j" cpu_us_per_cmd)")
        j=$(taskset -c 1 "$BIN/examples/load" "$PURL" harness "$op" "$c" "$COMMANDS"); h+=("$(field "$j" req_s)"); hc+=("$(field "$j" cpu_us_per_cmd)")
        echo "  pinned $op c=$c raw ${r[-1]} (${rc[-1]} us) harness ${h[-1]} (${hc[-1]} us)" >&2
      done
      echo "| $op | $c | $(spread 0 "${r[@]}") | $(spread 0 "${h[@]}") | $(ratio "${h[*]}" "${r[*]}") | $(spread 1 "${rc[@]}") | $(spread 1 "${hc[@]}") |"
    done
  done
  kill $PSERVER 2>/dev/null || true
  echo
fi

echo "### Memory"
echo
echo "| what | peak RSS |"
echo "|---|---|"
rss=()
for _ in $(seq "$REPS"); do
  j=$("$BIN/examples/load" "$URL" harness QueryIncidents 64 10000); rss+=("$(field "$j" peak_rss_kb)")
done
echo "| 10,000 Harness::command (QueryIncidents) at concurrency 64, KiB | $(spread 0 "${rss[@]}") |"

# CLI: 10,000 JSON lines through --batch.
python3 -c '
import json
for i in range(10000):
    op = "QueryIncidents" if i % 2 == 0 else "GetIncidents"
    args = {"filter": "status:20", "limit": 5} if i % 2 == 0 else {"ids": ["inc:1", "inc:2"]}
    print(json.dumps({"id": i, "op": op, "args": args}))' > "$TMP/batch.jsonl"
bt=(); brss=()
for _ in $(seq "$REPS"); do
  s=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$TMP/time" env FALCON_CLIENT_ID=bench FALCON_CLIENT_SECRET=bench \
    "$BIN/falcon-harness" --batch --concurrency 64 --base-url "$URL" < "$TMP/batch.jsonl" > "$TMP/batch.out"
  e=$(date +%s.%N)
  lines=$(grep -c '"status_code":200' "$TMP/batch.out" || true)
  [ "$lines" = 10000 ] || echo "warning: only $lines of 10000 batch lines succeeded" >&2
  bt+=("$(python3 -c "print(10000/($e-$s))")"); brss+=("$(cat "$TMP/time")")
done
echo "| falcon-harness --batch, 10,000 lines at concurrency 64, KiB | $(spread 0 "${brss[@]}") |"
echo
echo "### CLI"
echo
echo "| what | min / median / max |"
echo "|---|---|"
echo "| --batch: 10,000 lines (QueryIncidents and GetIncidents) at concurrency 64, commands/s | $(spread 0 "${bt[@]}") |"
hyperfine -N --warmup 20 --runs 200 --export-json "$TMP/hf.json" \
  "$BIN/falcon-harness --dry-run QueryIncidents {}" >/dev/null 2>&1
python3 -c '
import json, statistics
t = json.load(open("'"$TMP"'/hf.json"))["results"][0]["times"]
t = sorted(x * 1000 for x in t)
print(f"| --dry-run QueryIncidents {{}} wall time (hyperfine, 200 runs), ms | {t[0]:.2f} / {statistics.median(t):.2f} / {t[-1]:.2f} |")'
echo

echo "### The Python SDK (falconpy $(python3 -c 'import falconpy; print(falconpy.__version__)' 2>/dev/null || echo absent), Uber class, QueryIncidents"
echo
if python3 -c 'import falconpy' 2>/dev/null; then
  echo "| mode | commands/s (min / median / max) |"
  echo "|---|---|"
  ps=(); pp=()
  for _ in $(seq "$REPS"); do
    j=$(python3 benches/load/falconpy_load.py "$URL" "$PY_COMMANDS" 8)
    ps+=("$(field "$j" sequential_cmd_s)"); pp+=("$(field "$j" pool_cmd_s)")
  done
  echo "| sequential | $(spread 0 "${ps[@]}") |"
  echo "| thread pool of 8 | $(spread 0 "${pp[@]}") |"
else
  echo "(falconpy not installed)"
fi
