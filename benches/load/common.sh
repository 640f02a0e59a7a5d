# Sourced (not run) by run.sh, batch.sh, instructions.sh and cache.sh, from
# the repository root: the one way they start the canned server (built
# first) and clean up, and the helpers they share.
#
#   start_server [PREFIX...]   examples/canned_server (1 worker thread) on a
#                              free port of 127.0.0.1, run under PREFIX
#                              (e.g. `taskset -c 0`) if given; waits until it
#                              answers; sets SERVER_URL and SERVER_PID.
#   median X...                the median of the numbers
#   spread DIGITS X...         "min / median / max" of the numbers, with
#                              DIGITS decimals
#   field JSON KEY             one member of a JSON object
#   need_valgrind              installs valgrind (Debian package) when it
#                              is missing and the script runs as root
#
# Sets BIN (the release directory) and TMP (a scratch directory); on exit
# every server started is stopped and TMP removed.

BIN=target/release
TMP=$(mktemp -d)
SERVERS=()
trap 'kill "${SERVERS[@]}" 2>/dev/null || true; rm -rf "$TMP"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 50); do curl -sf -o /dev/null "$1/incidents/queries/incidents/v1" && return; sleep 0.1; done; }
start_server() {
  local port
  port=$(free_port)
  "$@" "$BIN/examples/canned_server" "$port" 1 >/dev/null &
  SERVER_PID=$!
  SERVERS+=("$SERVER_PID")
  SERVER_URL="http://127.0.0.1:$port"
  wait_up "$SERVER_URL"
}
median() { python3 -c 'import sys, statistics; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
spread() { python3 -c '
import sys, statistics
d, v = int(sys.argv[1]), sorted(float(x) for x in sys.argv[2:])
print(f"{v[0]:.{d}f} / {statistics.median(v):.{d}f} / {v[-1]:.{d}f}")' "$@"; }
field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
need_valgrind() {
  if ! command -v valgrind >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq >/dev/null && apt-get install -y -qq valgrind >/dev/null
  fi
}
