#!/usr/bin/env bash
# Client instructions per command (valgrind's callgrind counts executed
# instructions, so the figure moves little between runs and not with the
# machine's load), all against the canned server on 127.0.0.1 with 8
# commands in flight, in one run:
#   - raw reqwest 0.12 and 0.13 (benches/load/raw: one prepared request
#     cloned per send, the reply read and not decoded);
#   - the harness (`request(op).args(..).send()`, status read), the
#     harness with each reply's `resources()` read as JSON values, and the
#     harness with `resources_as` into typed structs (ids as String,
#     incidents as the struct in examples/load.rs);
#   - rusty_falcon 0.7.1 (benches/load/rusty: CrowdStrike's typed,
#     openapi-generated SDK on reqwest 0.13, its `Configuration` pointed
#     at the canned server, each reply decoded into its model).
# Each figure is (instructions for 2,500 commands - instructions for 500)
# / 2,000, so start-up (runtime, client, token) cancels out; the median
# of REPS such pairs (default 3: the thread interleaving of 8 tasks moves
# a single figure by up to ~1.5k). Prints two Markdown tables: the
# harness against raw reqwest 0.12 (the version the library uses), and
# the harness against rusty_falcon (status read, resources() read and
# typed read over rusty_falcon). Stops with the program's message when
# one exits non-zero (the rusty_falcon one does unless every command got
# its decoded 2xx reply).
#
#   bash benches/load/instructions.sh            # both operations
#   REPS=1 bash benches/load/instructions.sh GetIncidents
#
# Needs valgrind (Debian package; installed when missing and run as root).
# The two bench crates are outside the workspace and are built here into
# target/raw and target/rusty (rusty_falcon is a large generated crate:
# its first build takes minutes).
set -euo pipefail
shopt -s inherit_errexit # a failing count stops the script
cd "$(dirname "$0")/../.."
. benches/load/common.sh
need_valgrind
cargo build -q --release --example canned_server --example load
# The raw loop on both reqwest versions: a crate of its own (outside the
# workspace), built into this target directory.
CARGO_TARGET_DIR="$PWD/target/raw" cargo build -q --release --manifest-path benches/load/raw/Cargo.toml
RAW=target/raw/release/falcon-bench-raw
# rusty_falcon 0.7.1 in the same loop: a crate of its own too.
CARGO_TARGET_DIR="$PWD/target/rusty" cargo build -q --release --manifest-path benches/load/rusty/Cargo.toml
RUSTY=target/rusty/release/falcon-bench-rusty
start_server
URL=$SERVER_URL

count() { # PROGRAM ARGS... -> instructions (the command count is the last argument)
  if ! valgrind --tool=callgrind --callgrind-out-file="$TMP/out" "$@" >/dev/null 2>"$TMP/err"; then
    echo "instructions.sh: failed: $*" >&2
    grep -v '^==' "$TMP/err" >&2 || true
    return 1
  fi
  grep -o 'Collected : [0-9]*' "$TMP/err" | awk '{print $3}'
}
per_command() { # PROGRAM ARGS... (without the count) -> instructions per command
  local a b all=()
  for _ in $(seq "${REPS:-3}"); do
    a=$(count "$@" 500)
    b=$(count "$@" 2500)
    all+=($(((b - a) / 2000)))
  done
  printf '%s\n' "${all[@]}" | sort -n | awk '{v[NR]=$1} END {print v[int((NR + 1) / 2)]}'
}
k() { python3 -c "print(f'{$1 / 1000:.1f}k')"; }
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

VS_RAW="| op | raw reqwest 0.12 | raw reqwest 0.13 | falcon-harness (status read) | harness / raw 0.12 | harness, resources() read | read / raw 0.12 | harness, resources_as typed | typed / raw 0.12 |
|---|---|---|---|---|---|---|---|---|"
VS_RUSTY="| op | rusty_falcon 0.7.1 (typed model) | rusty / raw 0.13 | falcon-harness (status read) | harness / rusty | harness, resources() read | read / rusty | harness, resources_as typed | typed / rusty |
|---|---|---|---|---|---|---|---|---|"
for op in "${@:-QueryIncidents GetIncidents}"; do
  for o in $op; do
    r12=$(per_command "$RAW" "$URL" 0.12 "$o" 8)
    r13=$(per_command "$RAW" "$URL" 0.13 "$o" 8)
    h=$(per_command "$BIN/examples/load" "$URL" harness "$o" 8)
    hj=$(per_command "$BIN/examples/load" "$URL" harness-json "$o" 8)
    ht=$(per_command "$BIN/examples/load" "$URL" harness-typed "$o" 8)
    rf=$(per_command "$RUSTY" "$URL" "$o" 8)
    VS_RAW+="
| $o | $(k "$r12") | $(k "$r13") | $(k "$h") | $(ratio "$h" "$r12") | $(k "$hj") | $(ratio "$hj" "$r12") | $(k "$ht") | $(ratio "$ht" "$r12") |"
    VS_RUSTY+="
| $o | $(k "$rf") | $(ratio "$rf" "$r13") | $(k "$h") | $(ratio "$h" "$rf") | $(k "$hj") | $(ratio "$hj" "$rf") | $(k "$ht") | $(ratio "$ht" "$rf") |"
  done
done
echo "$VS_RAW"
echo
echo "$VS_RUSTY"
