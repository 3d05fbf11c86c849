//! polkadot.js compatibility: `@polkadot/api` (the library polkadot.js Apps is built on),
//! connected to the real dev node, decodes the metadata and reports FST with 12 decimals.
//!
//! Needs Node.js and npm; the test installs `tests/js`'s locked dependencies when missing
//! (`.ci/run` does it up front).

use crate::common::Node;
use serde_json::Value;
use std::{path::Path, process::Command};

fn js_dir() -> &'static Path {
	Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/js"))
}

fn ensure_npm_dependencies() {
	if js_dir().join("node_modules/@polkadot/api").exists() {
		return;
	}
	let status = Command::new("npm")
		.args(["ci", "--no-audit", "--no-fund"])
		.current_dir(js_dir())
		.status()
		.expect("npm is installed (Node.js 18+)");
	assert!(status.success(), "npm ci in node/tests/js failed");
}

#[tokio::test(flavor = "multi_thread")]
async fn polkadot_js_api_reports_fst_with_12_decimals() {
	ensure_npm_dependencies();
	let mut node = Node::spawn_dev("e2e-polkadot-js");
	let _ = node.connect().await;

	let output = Command::new("node")
		.arg(js_dir().join("check_chain.mjs"))
		.arg(&node.ws_url)
		.output()
		.expect("node (Node.js) runs");
	assert!(
		output.status.success(),
		"check_chain.mjs failed: {}\n{}",
		String::from_utf8_lossy(&output.stderr),
		node.log_tail()
	);
	let report: Value = serde_json::from_slice(&output.stdout).expect("JSON report");
	assert_eq!(report["chain"], "DeFaaS Development");
	assert_eq!(report["tokenSymbol"], serde_json::json!(["FST"]));
	assert_eq!(report["tokenDecimals"], serde_json::json!([12]));
	assert_eq!(report["ss58Format"], 42);
	assert_eq!(report["existentialDeposit"], "1000000000");
	let pallets: Vec<&str> =
		report["pallets"].as_array().expect("pallets").iter().filter_map(Value::as_str).collect();
	for pallet in
		["System", "Timestamp", "Babe", "Grandpa", "Balances", "TransactionPayment", "Sudo"]
	{
		assert!(pallets.contains(&pallet), "{pallet} missing from {pallets:?}");
	}
}
