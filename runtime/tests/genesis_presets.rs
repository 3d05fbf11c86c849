//! Every genesis preset of the runtime builds, through the real wasm runtime, into a valid raw
//! chain spec with the expected validators, sudo key and funded accounts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use defaas_runtime::{
	genesis_config_presets::{dev_witness, BENCH_RUNTIME_PRESET, DEV_ENDOWMENT},
	WASM_BINARY,
};
use pallet_witness_pool::vrf::witness_vrf::HostFunctions as WitnessVrfHostFunctions;
use sc_chain_spec::{ChainType, GenericChainSpec};
use serde_json::Value;
use sp_genesis_builder::{DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};

fn wasm() -> &'static [u8] {
	WASM_BINARY.expect("the runtime wasm is built unless SKIP_WASM_BUILD is set")
}

/// Builds the chain spec of `preset` and returns it as (plain, raw) JSON.
fn build(preset: &str) -> (Value, Value) {
	let spec = GenericChainSpec::<Option<()>, WitnessVrfHostFunctions>::builder(wasm(), None)
		.with_name("DeFaaS test")
		.with_id("defaas_test")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(preset)
		.build();
	let plain = serde_json::from_str(&spec.as_json(false).expect("plain spec")).expect("json");
	let raw = serde_json::from_str(&spec.as_json(true).expect("raw spec")).expect("json");
	(plain, raw)
}

/// The resolved genesis patch of a plain chain spec.
fn patch(plain: &Value) -> &Value {
	&plain["genesis"]["runtimeGenesis"]["patch"]
}

#[test]
fn runtime_lists_exactly_the_three_presets() {
	let names: Vec<String> = defaas_runtime::genesis_config_presets::preset_names()
		.into_iter()
		.map(|id| String::from_utf8(id.into()).expect("utf8"))
		.collect();
	assert_eq!(
		names,
		vec![
			DEV_RUNTIME_PRESET.to_string(),
			LOCAL_TESTNET_RUNTIME_PRESET.to_string(),
			BENCH_RUNTIME_PRESET.to_string()
		]
	);
}

#[test]
fn bench_preset_builds_its_accounts_and_active_genesis_witnesses() {
	use defaas_primitives::bench;
	let (plain, raw) = build(BENCH_RUNTIME_PRESET);
	let patch = patch(&plain);
	assert_eq!(patch["babe"]["authorities"].as_array().map(Vec::len), Some(4));
	let balances = patch["balances"]["balances"].as_array().expect("balances");
	assert!(balances.len() >= bench::ACCOUNTS as usize + 6, "{}", balances.len());
	// The runtime registered every genesis witness: WitnessPool::WitnessCount and ActiveCount.
	assert_genesis_witnesses(&raw, bench::WITNESSES);
}

/// The runtime registered `n` genesis witnesses, all active: `WitnessPool::WitnessCount` and
/// `ActiveCount` in the raw genesis storage.
fn assert_genesis_witnesses(raw: &Value, n: u32) {
	let top = raw["genesis"]["raw"]["top"].as_object().expect("raw storage");
	let key = |item: &str| {
		let mut key = sp_io::hashing::twox_128(b"WitnessPool").to_vec();
		key.extend(sp_io::hashing::twox_128(item.as_bytes()));
		format!("0x{}", key.iter().map(|b| format!("{b:02x}")).collect::<String>())
	};
	let count = format!("0x{}", hex_u32(n));
	assert_eq!(top.get(&key("WitnessCount")).and_then(Value::as_str), Some(count.as_str()));
	assert_eq!(top.get(&key("ActiveCount")).and_then(Value::as_str), Some(count.as_str()));
}

/// `n` SCALE-encoded (little-endian), as hex.
fn hex_u32(n: u32) -> String {
	n.to_le_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn development_preset_builds_a_raw_chain_spec_with_one_validator() {
	let (plain, raw) = build(DEV_RUNTIME_PRESET);
	let patch = patch(&plain);
	assert_eq!(patch["babe"]["authorities"].as_array().map(Vec::len), Some(1));
	assert_eq!(patch["grandpa"]["authorities"].as_array().map(Vec::len), Some(1));
	let alice = sp_keyring::Sr25519Keyring::Alice.to_account_id().to_string();
	assert_eq!(patch["sudo"]["key"].as_str(), Some(alice.as_str()));
	let balances = patch["balances"]["balances"].as_array().expect("balances");
	assert!(balances.len() >= 6, "dev accounts are funded");
	assert!(balances.iter().all(|b| b[1].as_u64() == Some(DEV_ENDOWMENT as u64)));
	let top = raw["genesis"]["raw"]["top"].as_object().expect("raw storage");
	assert!(top.len() > 10, "genesis storage was built by the runtime");
	// One witness from genesis, funded, its own key as VRF key, active from the first block.
	let witness = dev_witness().expect("the dev witness").to_string();
	let witnesses = patch["witnessPool"]["witnesses"].as_array().expect("witnesses");
	assert_eq!(witnesses.len(), 1);
	assert_eq!(witnesses[0][0].as_str(), Some(witness.as_str()));
	assert!(balances.iter().any(|b| b[0].as_str() == Some(witness.as_str())));
	assert_genesis_witnesses(&raw, 1);
}

#[test]
fn local_testnet_preset_builds_a_raw_chain_spec_with_four_validators() {
	let (plain, raw) = build(LOCAL_TESTNET_RUNTIME_PRESET);
	let patch = patch(&plain);
	assert_eq!(patch["babe"]["authorities"].as_array().map(Vec::len), Some(4));
	assert_eq!(patch["grandpa"]["authorities"].as_array().map(Vec::len), Some(4));
	assert!(raw["genesis"]["raw"]["top"].as_object().is_some_and(|top| !top.is_empty()));
}

#[test]
fn dev_endowment_is_a_million_fst() {
	assert_eq!(DEV_ENDOWMENT, 1_000_000 * 10u128.pow(defaas_runtime::TOKEN_DECIMALS as u32));
	assert_eq!(defaas_runtime::TOKEN_SYMBOL, "FST");
}
