#!/usr/bin/env bash
# Runs schemathesis (PyPI) against a live provider daemon on a dev chain: every operation of the
# daemon's OpenAPI document (served at /openapi.json, provider/api/openapi.json) with generated
# valid and invalid inputs, every check on (server errors, undocumented status codes, content
# types, response schemas). docs/reliability.md has the last run.
#
#   scripts/schemathesis.sh                     # 200 examples per operation
#   EXAMPLES=1000 scripts/schemathesis.sh
#
# Uses the binaries of the suite's build (`cargo test --workspace --release --no-run`) unless
# NODE / PROVIDER name others; ports RPC_PORT (default 19944) and HTTP_PORT (18080).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$HOME/.cache/defaas-target}"
NODE="${NODE:-$target/release/defaas-node}"
PROVIDER="${PROVIDER:-$target/release/defaas-provider}"
RPC_PORT="${RPC_PORT:-19944}"
HTTP_PORT="${HTTP_PORT:-18080}"
EXAMPLES="${EXAMPLES:-200}"
work=$(mktemp -d)
venv="${SCHEMATHESIS_VENV:-$HOME/.cache/defaas-schemathesis}"
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

if [ ! -x "$venv/bin/schemathesis" ]; then
	python3 -m venv "$venv"
	"$venv/bin/pip" install --quiet "schemathesis==4.32.5"
fi

"$NODE" --dev --tmp --rpc-port "$RPC_PORT" --no-prometheus --no-telemetry \
	>"$work/node.log" 2>&1 &
pids+=($!)
cat >"$work/provider.toml" <<TOML
node_url = "ws://127.0.0.1:$RPC_PORT"
suri = "//Charlie"
listen = "127.0.0.1:$HTTP_PORT"
data_dir = "$work/provider"

[[level]]
id = 0
price = "3"
capacity = 4
TOML
# The daemon waits for the node itself; the loop below waits for the daemon.
"$PROVIDER" --config "$work/provider.toml" >"$work/provider.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do
	curl -fsS "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null 2>&1 && break
	kill -0 "${pids[1]}" 2>/dev/null || { cat "$work/provider.log"; exit 1; }
	sleep 1
done

status=0
"$venv/bin/schemathesis" --config-file provider/api/schemathesis.toml \
	run "http://127.0.0.1:$HTTP_PORT/openapi.json" \
	--checks all --max-examples "$EXAMPLES" --workers 2 \
	--report junit --report-dir "$work/report" || status=$?
if [ "$status" -ne 0 ]; then
	echo "--- provider log (tail)"
	tail -50 "$work/provider.log"
fi
exit "$status"
