//! What the built `defaas` binary does without a reachable node: an unreachable node is one
//! clear line (no backtrace, no retry loop), and arguments are checked before it connects.
//! Everything the CLI does against a chain runs on the suite's shared dev node
//! (`node/tests/dev/cli_*.rs`); this binary also makes `cargo test --workspace` build `defaas`
//! next to the tests that run it.

use std::process::{Command, Output, Stdio};

fn defaas(args: &[&str]) -> Output {
	Command::new(env!("CARGO_BIN_EXE_defaas"))
		.args(args)
		.env_remove("DEFAAS_SURI")
		.stdin(Stdio::null())
		.output()
		.expect("run defaas")
}

#[test]
fn an_unreachable_node_is_one_clear_line() {
	// Nothing listens on port 1 (tcpmux): the connection is refused at once.
	let nowhere = "ws://127.0.0.1:1";
	let output = defaas(&["--url", nowhere, "level", "list"]);
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(!output.status.success());
	assert!(
		stderr.starts_with(&format!("error: cannot reach a DeFaaS node at {nowhere}")),
		"{stderr}"
	);
	assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

#[test]
fn bad_arguments_are_refused_before_connecting() {
	let output = defaas(&[
		"--url",
		"ws://127.0.0.1:1",
		"order",
		"create",
		"--level",
		"0",
		"--periods",
		"3",
		"--max-price",
		"10",
		"--committee",
		"1",
		"--package",
		"fn.wasm",
		"--bid-window",
		"nine",
	]);
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(!output.status.success());
	assert!(stderr.contains("--bid-window"), "{stderr}");
	assert!(!stderr.contains("cannot reach"), "{stderr}");
}
