#!/usr/bin/env bash
# Benchmark of the computing pool (docs/performance.md): the hello function through
# gateway -> NATS -> worker against the single-host daemon, on the same machine, in the same
# run, with the same load generator (wrk): the single host, then the pool with 1, 2 and 3
# workers (a fresh nats-server each time). Also deploy -> first response on each.
#
#   scripts/bench-pool.sh [duration-seconds] [connections]
#
# Needs: wrk and nats-server (apt-get install wrk nats-server).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/defaas-target}"
duration="${1:-20}"
connections="${2:-16}"

(cd examples/functions && CARGO_TARGET_DIR="$CARGO_TARGET_DIR/functions" \
	cargo build --release --target wasm32-wasip2 -p hello -q)
hello="$CARGO_TARGET_DIR/functions/wasm32-wasip2/release/hello.wasm"
cargo build --release -p defaas-provider --example bench_host --bin defaas-provider -q
bench_host="$CARGO_TARGET_DIR/release/examples/bench_host"
provider="$CARGO_TARGET_DIR/release/defaas-provider"

work=$(mktemp -d)
pids=()
# Stops what was started, newest first (the gateway and the workers before their NATS).
stop_all() {
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		kill "${pids[$i]}" 2>/dev/null || true
		wait "${pids[$i]}" 2>/dev/null || true
	done
	pids=()
}
trap 'stop_all; rm -rf "$work"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "nats: $(nats-server --version)"
echo "component: $hello ($(stat -c %s "$hello") bytes); wrk -t2 -c$connections -d${duration}s --latency"

run_wrk() { wrk -t2 -c"$connections" -d"${duration}s" --latency "$1" | grep -E 'Requests/sec|^ +(50|75|90|99)%|Latency +[0-9]|Non-2xx|Socket errors'; }

# wait_for <file> <pattern>: until the pattern is in the file (at most 60 s).
wait_for() {
	for _ in $(seq 600); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
	echo "timed out waiting for '$2' in $1" >&2
	cat "$1" >&2
	return 1
}

# serve <label> <bench_host args...>: the gateway or single host on a fresh port, then wrk.
serve() {
	local label=$1
	shift
	local port=$((20000 + RANDOM % 20000))
	"$bench_host" "$hello" "$port" "$@" > "$work/host.out" 2>&1 &
	pids+=($!)
	wait_for "$work/host.out" "serving order 0"
	echo "== $label (http://127.0.0.1:$port/o/0/)"
	grep "cold start" "$work/host.out"
	wrk -t1 -c1 -d2s "http://127.0.0.1:$port/o/0/" > /dev/null # warm-up
	run_wrk "http://127.0.0.1:$port/o/0/"
}

serve "single host (defaas-provider)" 1000
stop_all

for workers in 1 2 3; do
	rm -rf "$work/nats" && mkdir -p "$work/nats"
	nats-server -a 127.0.0.1 -p -1 -js -sd "$work/nats/js" 2> "$work/nats/log" &
	pids+=($!)
	wait_for "$work/nats/log" "Listening for client connections"
	nats_port=$(grep "Listening for client connections" "$work/nats/log" | sed 's/.*://')
	for i in $(seq "$workers"); do
		printf '[pool]\nnats_url = "nats://127.0.0.1:%s"\nname = "bench"\nrole = "worker"\nworker_name = "w%s"\n' \
			"$nats_port" "$i" > "$work/w$i.toml"
		"$provider" --config "$work/w$i.toml" --log-level warn 2> "$work/w$i.log" &
		pids+=($!)
	done
	serve "pool: gateway -> NATS -> $workers worker(s)" 1000 "nats://127.0.0.1:$nats_port" "$workers"
	stop_all
done
