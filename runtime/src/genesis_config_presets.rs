//! Genesis presets built into the runtime: `development` (one validator), `local_testnet`
//! (four validators) and `bench` (the four validators and thousands of funded load accounts,
//! for `defaas-load`). The node's chain spec only picks one by name.

use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_babe::AuthorityId as BabeId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

use pallet_market::{LevelInfo, MarketTimings};
use pallet_witness_pool::WitnessTimings;
use sp_runtime::Perbill;

use crate::{
	configs::AssetKind, AccountId, AssetConversionConfig, AssetsConfig, BabeConfig, Balance,
	BalancesConfig, BlockNumber, FaasTokenConfig, GrandpaConfig, MarketConfig,
	RuntimeGenesisConfig, SudoConfig, WitnessPoolConfig, BABE_GENESIS_EPOCH_CONFIG, FST,
};

/// FST given to each pre-funded development account.
pub const DEV_ENDOWMENT: Balance = 1_000_000 * FST;

/// The development presets' stable test asset (docs/architecture.md §12): its id, ...
pub const DEV_STABLE_ASSET: u32 = 1;
/// ... name, ...
pub const DEV_STABLE_NAME: &str = "DeFaaS Test Dollar";
/// ... symbol, ...
pub const DEV_STABLE_SYMBOL: &str = "TUSD";
/// ... decimals, ...
pub const DEV_STABLE_DECIMALS: u8 = 6;
/// ... one unit (1 TUSD) in its smallest unit, ...
pub const DEV_STABLE_UNIT: Balance = 1_000_000;
/// ... least balance of an account (0.01 TUSD; the asset is sufficient: an account may hold
/// only it), ...
pub const DEV_STABLE_MIN_BALANCE: Balance = DEV_STABLE_UNIT / 100;
/// ... what each development account gets, ...
pub const DEV_STABLE_ENDOWMENT: Balance = 100_000 * DEV_STABLE_UNIT;
/// ... and the least prepay of an order paying in it.
pub const DEV_STABLE_MIN_PREPAY: Balance = DEV_STABLE_UNIT;
/// The genesis FST/TUSD pool, provided by the sudo account: 100,000 FST and 1,000,000 TUSD
/// (1 FST = 10 TUSD), through which fees are paid in TUSD.
pub const DEV_POOL_FST: Balance = 100_000 * FST;
/// See [`DEV_POOL_FST`].
pub const DEV_POOL_STABLE: Balance = 1_000_000 * DEV_STABLE_UNIT;

/// The seed paper's FaaS level table (docs/architecture.md §3): id 0 `normal` 1 CPU 512 MB 50 MB; 1 `normal`
/// 1 CPU 1024 MB 100 MB; 2 `graphics` 2 CPU 2048 MB 200 MB; 3 `ai` 1 CPU + 10 GPU units 4096 MB
/// 500 MB.
pub fn paper_levels() -> Vec<LevelInfo> {
	vec![
		LevelInfo::new(1000, 0, 512, 50, b"normal"),
		LevelInfo::new(1000, 0, 1024, 100, b"normal"),
		LevelInfo::new(2000, 0, 2048, 200, b"graphics"),
		LevelInfo::new(1000, 10, 4096, 500, b"ai"),
	]
}

/// Short market time parameters for development and local networks (3 s blocks): a 20-block
/// (one-minute) billing period, so a whole lease runs in minutes.
pub fn dev_market_timings() -> MarketTimings<BlockNumber> {
	MarketTimings {
		min_bid_window: 3,
		max_bid_window: 100,
		reveal_window: 5,
		confirm_window: 5,
		deploy_window: 10,
		billing_period: 20,
		verdict_grace: 20,
		heartbeat_grace: 20,
		retention_period: 100,
	}
}

/// Round windows of the development presets: joins in the first 8 blocks of a 20-block
/// billing period, commits until 4 blocks after it, reveals in the 6 blocks after that — the
/// verdict lands 10 blocks after the period, within the market's 20-block verdict grace.
pub fn dev_witness_timings() -> WitnessTimings<BlockNumber> {
	WitnessTimings { join_window: 8, commit_window: 4, reveal_window: 6 }
}

/// Yearly inflation cap of witness reward minting in the development presets: 12 %. A simulated
/// year of a small market at 4 FST a unit used 68 % of it and all of it in 16 of 366 eras
/// (docs/economics.md).
pub const DEV_YEARLY_INFLATION: Perbill = Perbill::from_percent(12);

/// Builds the JSON patch of a genesis state: consensus authorities, funded accounts (FST and the
/// stable test asset), the sudo key, the paper's FaaS levels, short market time parameters, the
/// stable asset as a payment asset and its FST pool.
fn testnet_genesis(
	authorities: Vec<(BabeId, GrandpaId)>,
	endowed_accounts: Vec<AccountId>,
	root: AccountId,
) -> Value {
	// Every endowed account gets TUSD too; the sudo account also what it puts in the pool.
	let stable_accounts = endowed_accounts
		.iter()
		.map(|account| {
			let pool = if *account == root { DEV_POOL_STABLE } else { 0 };
			(DEV_STABLE_ASSET, account.clone(), DEV_STABLE_ENDOWMENT.saturating_add(pool))
		})
		.collect::<Vec<_>>();
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed_accounts
				.into_iter()
				.map(|account| (account, DEV_ENDOWMENT))
				.collect::<Vec<_>>(),
		},
		babe: BabeConfig {
			authorities: authorities.iter().map(|(babe, _)| (babe.clone(), 1)).collect::<Vec<_>>(),
			epoch_config: BABE_GENESIS_EPOCH_CONFIG,
		},
		grandpa: GrandpaConfig {
			authorities: authorities
				.iter()
				.map(|(_, grandpa)| (grandpa.clone(), 1))
				.collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: Some(root.clone()) },
		faas_token: FaasTokenConfig { yearly_inflation: DEV_YEARLY_INFLATION },
		market: MarketConfig {
			levels: paper_levels(),
			timings: Some(dev_market_timings()),
			payment_assets: vec![(AssetKind::WithId(DEV_STABLE_ASSET), DEV_STABLE_MIN_PREPAY)],
		},
		assets: AssetsConfig {
			assets: vec![(DEV_STABLE_ASSET, root.clone(), true, DEV_STABLE_MIN_BALANCE)],
			metadata: vec![(
				DEV_STABLE_ASSET,
				DEV_STABLE_NAME.as_bytes().to_vec(),
				DEV_STABLE_SYMBOL.as_bytes().to_vec(),
				DEV_STABLE_DECIMALS,
			)],
			accounts: stable_accounts,
		},
		asset_conversion: AssetConversionConfig {
			pools: vec![(
				AssetKind::Native,
				AssetKind::WithId(DEV_STABLE_ASSET),
				root.clone(),
				DEV_POOL_FST,
				DEV_POOL_STABLE,
			)],
		},
		witness_pool: WitnessPoolConfig { timings: Some(dev_witness_timings()) },
	})
}

/// The consensus keys of a well-known development validator: its `//Name` sr25519 key for BABE
/// and its `//Name` ed25519 key for GRANDPA.
fn authority_keys(babe: Sr25519Keyring, grandpa: Ed25519Keyring) -> (BabeId, GrandpaId) {
	(babe.public().into(), grandpa.public().into())
}

/// Every well-known development account (Alice .. Ferdie and their `//stash` accounts).
fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect()
}

/// The development chain's witness from genesis: its account (and, as its VRF key, the same
/// key: `author_insertKey wtns //Alice//witness <its public key>` lets the node's off-chain
/// worker act for it).
pub const DEV_WITNESS_SURI: &str = "//Alice//witness";

/// The account of [`DEV_WITNESS_SURI`], `None` if the derivation fails (it cannot: a constant).
pub fn dev_witness() -> Option<AccountId> {
	use sp_core::{sr25519, Pair};
	sr25519::Pair::from_string(DEV_WITNESS_SURI, None)
		.ok()
		.map(|pair| AccountId::from(pair.public()))
}

/// `development`: Alice is the only validator and the sudo key; dev accounts are funded; one
/// witness ([`DEV_WITNESS_SURI`], the minimum stake) may sit in committees from the first block,
/// so a lease on a fresh dev chain reaches its verdicts without waiting for an activation.
pub fn development_config_genesis() -> Value {
	let mut genesis = testnet_genesis(
		vec![authority_keys(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		dev_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
	);
	if let Some(witness) = dev_witness() {
		let stake: Balance = <<crate::Runtime as pallet_witness_pool::Config>::MinWitnessStake as frame_support::traits::Get<Balance>>::get();
		let raw: [u8; 32] = witness.clone().into();
		let vrf_key = sp_core::sr25519::Public::from_raw(raw);
		if let Some(balances) = genesis
			.get_mut("balances")
			.and_then(|b| b.get_mut("balances"))
			.and_then(Value::as_array_mut)
		{
			balances.push(serde_json::json!([witness, DEV_ENDOWMENT]));
		}
		if let Some(pool) = genesis.get_mut("witnessPool").and_then(Value::as_object_mut) {
			pool.insert("witnesses".into(), serde_json::json!([[witness, stake, vrf_key]]));
		}
	}
	genesis
}

/// `local_testnet`: Alice, Bob, Charlie and Dave validate; Alice is sudo; dev accounts are funded.
pub fn local_testnet_genesis() -> Value {
	testnet_genesis(
		vec![
			authority_keys(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			authority_keys(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			authority_keys(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
			authority_keys(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
		],
		dev_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// The name of the benchmark preset.
pub const BENCH_RUNTIME_PRESET: &str = "bench";

/// The `bench` accounts (`defaas_primitives::bench`): `//Alice//bench//<i>` for every `i` below
/// `bench::ACCOUNTS`, derived from the root once (one hard junction each).
pub fn bench_accounts() -> Vec<AccountId> {
	use defaas_primitives::bench;
	use sp_core::{crypto::DeriveJunction, sr25519, Pair};
	let Ok(root) = sr25519::Pair::from_string(bench::ROOT_SURI, None) else {
		return Vec::new();
	};
	(0..bench::ACCOUNTS)
		.filter_map(|index| {
			let junction = DeriveJunction::hard(u64::from(index));
			root.derive(core::iter::once(junction), None).ok()
		})
		.map(|(pair, _)| AccountId::from(pair.public()))
		.collect()
}

/// `bench`: `local_testnet`'s validators, sudo and dev accounts, plus the `bench` accounts with
/// `bench::ENDOWMENT_FST` each, the last `bench::WITNESSES` of them witnesses from genesis (their
/// own key as VRF key).
pub fn bench_genesis() -> Value {
	use defaas_primitives::bench;
	let mut genesis = local_testnet_genesis();
	let endowment = bench::ENDOWMENT_FST.saturating_mul(FST);
	let stake = bench::WITNESS_STAKE_FST.saturating_mul(FST);
	let accounts = bench_accounts();
	let funded: Vec<Value> =
		accounts.iter().map(|account| serde_json::json!([account, endowment])).collect();
	let witnesses: Vec<Value> = accounts
		.iter()
		.skip(usize::try_from(bench::FIRST_WITNESS).unwrap_or(usize::MAX))
		.map(|account| {
			let raw: [u8; 32] = account.clone().into();
			let vrf_key = sp_core::sr25519::Public::from_raw(raw);
			serde_json::json!([account, stake, vrf_key])
		})
		.collect();
	if let Some(balances) = genesis
		.get_mut("balances")
		.and_then(|b| b.get_mut("balances"))
		.and_then(Value::as_array_mut)
	{
		balances.extend(funded);
	}
	if let Some(pool) = genesis.get_mut("witnessPool").and_then(Value::as_object_mut) {
		pool.insert("witnesses".into(), Value::Array(witnesses));
	}
	genesis
}

/// The JSON of the named preset, or `None` for an unknown name.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		DEV_RUNTIME_PRESET => development_config_genesis(),
		LOCAL_TESTNET_RUNTIME_PRESET => local_testnet_genesis(),
		BENCH_RUNTIME_PRESET => bench_genesis(),
		_ => return None,
	};
	serde_json::to_vec(&patch).ok()
}

/// The names of all presets.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(DEV_RUNTIME_PRESET),
		PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET),
		PresetId::from(BENCH_RUNTIME_PRESET),
	]
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn every_preset_name_resolves_and_unknown_ones_do_not() {
		for name in preset_names() {
			assert!(get_preset(&name).is_some(), "preset {name:?} must resolve");
		}
		assert!(get_preset(&PresetId::from("mainnet")).is_none());
	}

	#[test]
	fn bench_accounts_are_their_secret_uris_and_the_last_are_witnesses() {
		use defaas_primitives::bench;
		use sp_core::{sr25519, Pair};
		let accounts = bench_accounts();
		assert_eq!(accounts.len(), bench::ACCOUNTS as usize);
		for index in [0, 1, bench::FIRST_WITNESS, bench::ACCOUNTS - 1] {
			let pair = sr25519::Pair::from_string(&bench::account_suri(index), None).unwrap();
			assert_eq!(accounts[index as usize], AccountId::from(pair.public()), "account {index}");
		}
		let Value::Object(patch) = bench_genesis() else { panic!("object expected") };
		let balances = patch["balances"]["balances"].as_array().expect("balances");
		assert_eq!(balances.len(), dev_accounts().len() + bench::ACCOUNTS as usize);
		let witnesses = patch["witnessPool"]["witnesses"].as_array().expect("witnesses");
		assert_eq!(witnesses.len(), bench::WITNESSES as usize);
		assert_eq!(witnesses[0][0], witnesses[0][2], "the account's key is its VRF key");
		assert_eq!(patch["babe"]["authorities"].as_array().map(Vec::len), Some(4));
	}

	#[test]
	fn local_testnet_has_four_distinct_validators() {
		let Value::Object(patch) = local_testnet_genesis() else { panic!("object expected") };
		let babe = patch["babe"]["authorities"].as_array().expect("babe authorities");
		let grandpa = patch["grandpa"]["authorities"].as_array().expect("grandpa authorities");
		assert_eq!(babe.len(), 4);
		assert_eq!(grandpa.len(), 4);
		let mut keys: Vec<_> = babe.iter().map(|a| a[0].to_string()).collect();
		keys.dedup();
		assert_eq!(keys.len(), 4);
	}
}
