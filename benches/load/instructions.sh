#!/usr/bin/env bash
# Client instructions per command (valgrind's callgrind, which counts
# executed instructions exactly, so the figure barely moves between runs):
# raw reqwest, the harness, and the harness with each reply's body read,
# against the canned server on 127.0.0.1. Each figure is
# (instructions for 4,000 commands - instructions for 2,000) / 2,000, so
# start-up (runtime, client, token) cancels out. Prints a Markdown table.
#
#   bash benches/load/instructions.sh
#
# Needs valgrind (Debian package; installed when missing and run as root).
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v valgrind >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get update -qq >/dev/null && apt-get install -y -qq valgrind >/dev/null
fi
cargo build -q --release --example canned_server --example load
BIN=target/release/examples
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN/canned_server" "$PORT" 1 >/dev/null &
SERVER=$!
TMP=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$TMP"' EXIT
URL="http://127.0.0.1:$PORT"
for _ in $(seq 50); do curl -sf -o /dev/null "$URL/incidents/queries/incidents/v1" && break; sleep 0.1; done

count() { # MODE OP N -> instructions
  valgrind --tool=callgrind --callgrind-out-file="$TMP/out" "$BIN/load" "$URL" "$1" "$2" 8 "$3" \
    >/dev/null 2>"$TMP/err"
  grep -o 'Collected : [0-9]*' "$TMP/err" | awk '{print $3}'
}
per_command() { # MODE OP -> thousands of instructions per command
  local a b
  a=$(count "$1" "$2" 2000)
  b=$(count "$1" "$2" 4000)
  python3 -c "print(f'{($b - $a) / 2000 / 1000:.1f}k')"
}

echo "| op | raw reqwest | falcon-harness | harness, body read |"
echo "|---|---|---|---|"
for op in QueryIncidents GetIncidents; do
  echo "| $op | $(per_command raw "$op") | $(per_command harness "$op") | $(per_command harness-json "$op") |"
done
