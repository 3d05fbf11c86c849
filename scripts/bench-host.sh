#!/usr/bin/env bash
# Benchmark of the function host (docs/performance.md): the hello function served through the
# provider daemon's HTTP server and function host vs. `wasmtime serve` (wasmtime-cli 36.0.20, the
# same wasmtime) on the same component, with the same load generator (wrk), in the same run.
#
#   scripts/bench-host.sh [duration-seconds] [connections]
#   COMPONENT=examples/functions/python-hello/target/python-hello.wasm scripts/bench-host.sh
#                        # any other wasi:http component instead of the Rust hello
#
# Needs: wrk (apt-get install wrk) and wasmtime-cli 36.0.20 with `serve`
#   cargo install wasmtime-cli@36.0.20 --locked --root ~/.cache/wasmtime-cli \
#     --no-default-features --features run,serve,cranelift,pooling-allocator,parallel-compilation,cache,component-model
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/defaas-target}"
duration="${1:-20}"
connections="${2:-16}"
wasmtime="${WASMTIME:-$HOME/.cache/wasmtime-cli/bin/wasmtime}"

(cd examples/functions && CARGO_TARGET_DIR="$CARGO_TARGET_DIR/functions" \
	cargo build --release --target wasm32-wasip2 -p hello -q)
hello="${COMPONENT:-$CARGO_TARGET_DIR/functions/wasm32-wasip2/release/hello.wasm}"
cargo build --release -p defaas-provider --example bench_host -q
bench_host="$CARGO_TARGET_DIR/release/examples/bench_host"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "component: $hello ($(stat -c %s "$hello") bytes); wrk -t2 -c$connections -d${duration}s --latency"

run_wrk() { wrk -t2 -c"$connections" -d"${duration}s" --latency "$1" | grep -E 'Requests/sec|^ +(50|75|90|99)%|Latency +[0-9]|Non-2xx|Socket errors'; }

port=$((20000 + RANDOM % 20000))
"$bench_host" "$hello" "$port" > /tmp/bench_host.out 2>&1 &
host_pid=$!
trap 'kill $host_pid ${serve_pid:-} 2>/dev/null || true' EXIT
for _ in $(seq 300); do grep -q "serving order 0" /tmp/bench_host.out && break; sleep 0.1; done
grep -E "cold start|baseline compiler|optimized" /tmp/bench_host.out
wrk -t1 -c1 -d2s "http://127.0.0.1:$port/o/0/" > /dev/null # warm-up
echo "== defaas-provider (http://127.0.0.1:$port/o/0/)"
run_wrk "http://127.0.0.1:$port/o/0/"
# Memory per instance: the linear memory each request's instance ended with (the daemon's
# histogram), and the daemon's resident memory after the run.
curl -s "http://127.0.0.1:$port/metrics" | awk '
	/^defaas_provider_instance_memory_bytes_sum/ { sum = $2 }
	/^defaas_provider_instance_memory_bytes_count/ { count = $2 }
	END { if (count > 0) printf "linear memory per instance: %.2f MiB (mean of %d instances)\n", sum / count / 1048576, count }'
echo "daemon resident memory after the run: $(( $(ps -o rss= -p $host_pid) / 1024 )) MiB"
kill $host_pid; wait $host_pid 2>/dev/null || true
if [ ! -x "$wasmtime" ]; then
	echo "no wasmtime-cli at $wasmtime (WASMTIME=...): the wasmtime serve half is skipped"
	exit 0
fi

port2=$((port + 1))
start=$(date +%s%N)
"$wasmtime" serve -Scli -Ccache=n --addr "127.0.0.1:$port2" "$hello" > /tmp/wasmtime_serve.out 2>&1 &
serve_pid=$!
until curl -sf "http://127.0.0.1:$port2/" > /dev/null; do sleep 0.01; done
echo "wasmtime serve cold start (process start -> first 200, compile included, no compile cache): $(( ($(date +%s%N) - start) / 1000000 )) ms"
wrk -t1 -c1 -d2s "http://127.0.0.1:$port2/" > /dev/null # warm-up
echo "== wasmtime serve (http://127.0.0.1:$port2/)"
run_wrk "http://127.0.0.1:$port2/"
