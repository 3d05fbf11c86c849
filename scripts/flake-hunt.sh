#!/usr/bin/env bash
# Hunts flaky tests before CI does: with both cores loaded by other processes, every test that
# needs no node runs RUNS_UNIT times in a row (default 20) and every node test RUNS_NODE times
# (default 3). Stops at the first failure and says which run it was (logs in $LOGS).
#
#   scripts/flake-hunt.sh                 # all of it, one after the other, busy loops on every core
#   RUNS_NODE=0 scripts/flake-hunt.sh     # only the tests without a node
#   LOAD=0 scripts/flake-hunt.sh          # without the extra load
#   PARALLEL=1 LOAD=1 scripts/flake-hunt.sh
#       # the node tests and the tests without a node at the same time, each loading the
#       # machine for the other (the latter go on until the node tests are done), plus one busy
#       # loop so both cores stay busy in between
#
# Builds once (`cargo test --workspace --release --no-run`), then runs the built test targets
# through cargo, always with `--workspace` (the same features as the build: nothing recompiles).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/defaas-target}"
RUNS_UNIT="${RUNS_UNIT:-20}"
RUNS_NODE="${RUNS_NODE:-3}"
LOAD="${LOAD:-$(nproc)}"
PARALLEL="${PARALLEL:-0}"
LOGS="${LOGS:-/tmp/flake-hunt}"
mkdir -p "$LOGS"

. .ci/lint-while-building
cargo test --workspace --release --no-run

pids=()
stop() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap stop EXIT
for _ in $(seq "$LOAD"); do
	(while :; do :; done) &
	pids+=($!)
done
echo "flake-hunt: $LOAD busy loops running"

# Tests without a node: every unit test and the integration tests that need none.
unit=(cargo test --workspace --release --lib --test daemon --test modes --test probes_over_tcp
	--test binary --test flows --test weights --test genesis_presets --test chain_spec
	--test offline)
# Tests with a node: the shared dev node (with the CLI's end-to-end tests) and the shared network.
node=(cargo test --workspace --release --test dev --test network)

# hunt <name> <runs> <command...>: the command <runs> times in a row; with WHILE_ALIVE=<pid>,
# also on as long as that process runs (the tests without a node keep loading the machine for
# the node tests until they are done; those extra runs count too).
hunt() {
	local name=$1 runs=$2
	shift 2
	local run=0
	while [ "$run" -lt "$runs" ] || { [ -n "${WHILE_ALIVE:-}" ] && kill -0 "$WHILE_ALIVE" 2>/dev/null; }; do
		run=$((run + 1))
		local start=$(date +%s)
		"$@" >"$LOGS/$name-$run.log" 2>&1 || {
			echo "flake-hunt: $name FAILED in run $run (log $LOGS/$name-$run.log)"
			return 1
		}
		echo "flake-hunt: $name run $run passed ($(($(date +%s) - start)) s)"
	done
	echo "flake-hunt: $name passed $run runs in a row"
}

if [ "$PARALLEL" = 1 ]; then
	hunt node "$RUNS_NODE" "${node[@]}" &
	node_hunt=$!
	pids+=($node_hunt)
	WHILE_ALIVE=$node_hunt hunt unit "$RUNS_UNIT" "${unit[@]}"
	wait "$node_hunt"
else
	hunt unit "$RUNS_UNIT" "${unit[@]}"
	hunt node "$RUNS_NODE" "${node[@]}"
fi
echo "flake-hunt: $RUNS_UNIT runs without a node and $RUNS_NODE with nodes passed"
