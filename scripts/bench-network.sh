#!/usr/bin/env bash
# Starts the benchmark network: four validators (Alice, Bob, Charlie, Dave) of the `bench`
# chain (`--chain bench`: the local testnet plus 10,000 funded `//Alice//bench//<i>` accounts,
# the last 120 of them witnesses from genesis) on this machine, with the transaction pool
# raised for load runs. Runs until Ctrl-C; state and logs in $DIR (default: a fresh temporary
# directory, removed on exit unless KEEP=1).
#
#   scripts/bench-network.sh &
#   defaas-load --url ws://127.0.0.1:9944 --url ws://127.0.0.1:9945 --transfers 4000 ...
#
# Pool flags (sc-cli): the fork-aware pool (the default), room for 100,000 transactions /
# 200 MiB in each node's pool, 1,000 RPC connections per node, and no ban of invalid
# transactions for longer than a block (a load run re-submits nothing, but a ban would turn
# a stale nonce into minutes of refusals). See docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
NODE="${NODE:-${CARGO_TARGET_DIR:-target}/release/defaas-node}"
DIR="${DIR:-$(mktemp -d -t defaas-bench-XXXXXX)}"
KEEP="${KEEP:-0}"
[ -x "$NODE" ] || { echo "no $NODE: build it with README command 1's build" >&2; exit 1; }
mkdir -p "$DIR"

pids=()
stop() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ "$KEEP" = 1 ] || rm -rf "$DIR"
}
trap stop EXIT INT TERM

# Alice's network key is made here, so the others can name her as their boot node.
"$NODE" key generate-node-key --file "$DIR/alice.key" 2>/dev/null
alice_peer=$("$NODE" key inspect-node-key --file "$DIR/alice.key")
bootnode="/ip4/127.0.0.1/tcp/30333/p2p/$alice_peer"

pool=(--pool-type fork-aware --pool-limit 100000 --pool-kbytes 204800
	--rpc-max-connections 1000 --tx-ban-seconds 3)
i=0
for name in alice bob charlie dave; do
	args=(--chain bench --validator "--$name" --base-path "$DIR/$name"
		--port $((30333 + i)) --rpc-port $((9944 + i)) --rpc-methods unsafe --rpc-cors all
		--offchain-worker always --prometheus-port $((9615 + i)) "${pool[@]}")
	if [ "$name" = alice ]; then
		args+=(--node-key-file "$DIR/alice.key")
	else
		args+=(--bootnodes "$bootnode" --unsafe-force-node-key-generation)
	fi
	"$NODE" "${args[@]}" >"$DIR/$name.log" 2>&1 &
	pids+=($!)
	echo "bench-network: $name ws://127.0.0.1:$((9944 + i)) (log $DIR/$name.log)"
	i=$((i + 1))
done
wait -n "${pids[@]}"
echo "bench-network: a node exited; see the logs in $DIR" >&2
KEEP=1
exit 1
