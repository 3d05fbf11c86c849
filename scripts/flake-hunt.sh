#!/usr/bin/env bash
# Hunts flaky tests before CI does: with both cores loaded by busy loops, every test that needs
# no node runs RUNS_UNIT times in a row (default 20) and every node test RUNS_NODE times
# (default 3). Stops at the first failure and says which run it was.
#
#   scripts/flake-hunt.sh                 # all of it (hours on 2 cores: node tests dominate)
#   RUNS_NODE=0 scripts/flake-hunt.sh     # only the tests without a node
#   LOAD=0 scripts/flake-hunt.sh          # without the extra load
#
# Builds once (`cargo test --workspace --release --no-run`), then runs the built test binaries
# through cargo with `--no-fail-fast` off, so a failure stops the hunt.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/defaas-target}"
RUNS_UNIT="${RUNS_UNIT:-20}"
RUNS_NODE="${RUNS_NODE:-3}"
LOAD="${LOAD:-1}"

cargo test --workspace --release --no-run

load_pids=()
stop_load() {
	for pid in "${load_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap stop_load EXIT
if [ "$LOAD" = 1 ]; then
	for _ in $(seq "$(nproc)"); do
		(while :; do :; done) &
		load_pids+=($!)
	done
	echo "flake-hunt: ${#load_pids[@]} busy loops running"
fi

# Always `--workspace` (same feature set as the build above, nothing recompiles), selecting
# test targets. Tests without a node: every unit test and the integration tests that need none.
unit=(cargo test --workspace --release --lib --test serving --test deployment_api --test malicious
	--test restart --test shutdown --test module_graph --test modes --test probes_over_tcp
	--test binary --test flows --test genesis_presets --test chain_spec)
# Tests with a node: the shared dev node, the shared network, the CLI against a dev node.
node=(cargo test --workspace --release --test dev --test network --test orders --test deploy)

for run in $(seq "$RUNS_UNIT"); do
	echo "flake-hunt: tests without a node, run $run of $RUNS_UNIT"
	"${unit[@]}" >"/tmp/flake-unit-$run.log" 2>&1 || {
		echo "flake-hunt: FAILED in run $run (log /tmp/flake-unit-$run.log)"
		exit 1
	}
done
for run in $(seq "$RUNS_NODE"); do
	echo "flake-hunt: node tests, run $run of $RUNS_NODE"
	"${node[@]}" >"/tmp/flake-node-$run.log" 2>&1 || {
		echo "flake-hunt: FAILED in run $run (log /tmp/flake-node-$run.log)"
		exit 1
	}
done
echo "flake-hunt: $RUNS_UNIT runs without a node and $RUNS_NODE with nodes passed"
