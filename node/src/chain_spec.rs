//! Chain specifications. Genesis state comes from the runtime's presets
//! (`runtime/src/genesis_config_presets.rs`); this file only picks one and adds the properties
//! that wallets read.

use defaas_runtime::{SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL, WASM_BINARY};
use sc_service::{ChainType, Properties};

/// The chain specification type of the node (no chain-spec extensions).
///
/// The runtime's own host functions are registered so the genesis state can be built from its
/// presets (the runtime wasm imports them).
pub type ChainSpec =
	sc_service::GenericChainSpec<sc_chain_spec::NoExtension, crate::service::DefaasHostFunctions>;

/// `tokenSymbol = FST`, `tokenDecimals = 12` and the SS58 prefix, so that polkadot.js shows FST.
pub fn properties() -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	properties.insert("ss58Format".into(), SS58_PREFIX.into());
	properties
}

fn wasm() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| "the runtime wasm was not built (SKIP_WASM_BUILD is set)".to_string())
}

/// `--dev`: a single validator (Alice), Alice is sudo.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("DeFaaS Development")
		.with_id("defaas_dev")
		.with_protocol_id("defaas")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// `--chain local`: four validators (Alice, Bob, Charlie, Dave), Alice is sudo.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("DeFaaS Local Testnet")
		.with_id("defaas_local")
		.with_protocol_id("defaas")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// `--chain bench`: `local`'s four validators plus the runtime's `bench` accounts (thousands of
/// funded `//Alice//bench//<i>` accounts for `defaas-load`; docs/performance.md).
pub fn bench_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("DeFaaS Bench")
		.with_id("defaas_bench")
		.with_protocol_id("defaas")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(
			defaas_runtime::genesis_config_presets::BENCH_RUNTIME_PRESET,
		)
		.with_properties(properties())
		.build())
}
