#!/usr/bin/env bash
# Runs the runtime fuzzer (fuzz/, docs/reliability.md) with libFuzzer for SECONDS (default 600)
# on the corpus in fuzz/corpus/runtime/, which it extends with every input that finds new
# coverage. A crash leaves its input in fuzz/artifacts/ and the script fails; replay it with
# `cargo test --release -p defaas-fuzz` after copying it into the corpus (then fix it).
#
#   scripts/fuzz.sh            # ten minutes
#   scripts/fuzz.sh 60 -jobs=2 # one minute, extra libFuzzer flags after the time
#
# Stable Rust: the coverage instrumentation is LLVM's sanitizer-coverage passes, enabled with
# the same flags cargo-fuzz uses, in a target directory of its own (the instrumented build
# never mixes with the suite's). Overflow checks and debug assertions are on.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
shift || true
host=$(rustc -vV | sed -n 's/^host: //p')
corpus=fuzz/corpus/runtime
artifacts=fuzz/artifacts/
mkdir -p "$corpus" "$artifacts"

# The seeds (hand-written inputs that reach an auction, a lease, allowances, governance), with
# the suite's build flags (nothing of the suite's build is recompiled).
(
	. .ci/lint-while-building
	CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/defaas-target}" SKIP_WASM_BUILD=1 \
		cargo test --release -p defaas-fuzz --lib write_seeds -- --ignored --quiet
)

# `--target` keeps the instrumentation out of build scripts and proc macros.
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$HOME/.cache/defaas-fuzz-target}"
RUSTFLAGS="-Cpasses=sancov-module \
-Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares \
--cfg fuzzing -Cdebug-assertions -Coverflow-checks" \
	SKIP_WASM_BUILD=1 cargo build --release -p defaas-fuzz --features libfuzzer \
	--bin runtime-fuzzer --target "$host"

"$CARGO_TARGET_DIR/$host/release/runtime-fuzzer" "$corpus" -artifact_prefix="$artifacts" \
	-max_total_time="$seconds" -max_len=8192 -timeout=20 -print_final_stats=1 "$@"
