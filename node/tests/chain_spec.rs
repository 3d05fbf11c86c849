//! The node's chain specifications: `--dev` and `--chain local` build (plain and raw, i.e.
//! through the runtime's genesis builder) and carry the FST token properties.

use serde_json::Value;
use std::process::Command;

fn build_spec(chain: &str, raw: bool) -> Value {
	let mut cmd = Command::new(env!("CARGO_BIN_EXE_defaas-node"));
	cmd.args(["build-spec", "--chain", chain, "--disable-default-bootnode"]);
	if raw {
		cmd.arg("--raw");
	}
	let output = cmd.output().expect("run defaas-node build-spec");
	assert!(
		output.status.success(),
		"build-spec --chain {chain} failed: {}",
		String::from_utf8_lossy(&output.stderr)
	);
	serde_json::from_slice(&output.stdout).expect("chain spec is JSON")
}

fn assert_fst_properties(spec: &Value) {
	assert_eq!(spec["properties"]["tokenSymbol"], "FST");
	assert_eq!(spec["properties"]["tokenDecimals"], 12);
	assert_eq!(spec["properties"]["ss58Format"], 42);
}

#[test]
fn dev_spec_has_one_validator_and_fst_properties() {
	let spec = build_spec("dev", false);
	assert_eq!(spec["id"], "defaas_dev");
	assert_eq!(spec["chainType"], "Development");
	assert_fst_properties(&spec);
	let patch = &spec["genesis"]["runtimeGenesis"]["patch"];
	assert_eq!(patch["babe"]["authorities"].as_array().map(Vec::len), Some(1));
	assert_eq!(patch["grandpa"]["authorities"].as_array().map(Vec::len), Some(1));

	let raw = build_spec("dev", true);
	assert_fst_properties(&raw);
	assert!(raw["genesis"]["raw"]["top"].as_object().is_some_and(|top| top.len() > 10));
}

#[test]
fn local_spec_has_four_validators_and_fst_properties() {
	let spec = build_spec("local", false);
	assert_eq!(spec["id"], "defaas_local");
	assert_eq!(spec["chainType"], "Local");
	assert_fst_properties(&spec);
	let patch = &spec["genesis"]["runtimeGenesis"]["patch"];
	assert_eq!(patch["babe"]["authorities"].as_array().map(Vec::len), Some(4));
	assert_eq!(patch["grandpa"]["authorities"].as_array().map(Vec::len), Some(4));

	let raw = build_spec("local", true);
	assert!(raw["genesis"]["raw"]["top"].as_object().is_some_and(|top| top.len() > 10));
}
