//! Benchmarks of the runtime's pallets, run by `defaas-node benchmark pallet` (node built with
//! `--features runtime-benchmarks`) to generate each pallet's `weights.rs`.

use alloc::{string::String, vec::Vec};
use frame_benchmarking::{BenchmarkBatch, BenchmarkConfig, BenchmarkList};
use frame_support::traits::StorageInfo;

use crate::*;

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[frame_system_extensions, SystemExtensionsBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_sudo, Sudo]
	[pallet_migrations, MultiBlockMigrations]
	[pallet_transaction_payment, TransactionPayment]
	[pallet_faas_token, FaasToken]
	[pallet_market, Market]
	[pallet_witness_pool, WitnessPool]
	[pallet_assets, Assets]
	[pallet_asset_conversion, AssetConversion]
	[pallet_asset_conversion_tx_payment, AssetConversionTxPayment]
);

impl frame_system_benchmarking::Config for Runtime {}
impl frame_benchmarking::baseline::Config for Runtime {}
impl pallet_transaction_payment::BenchmarkConfig for Runtime {}

/// The benchmarks the runtime offers (`Benchmark::benchmark_metadata`).
pub fn benchmark_metadata(extra: bool) -> (Vec<BenchmarkList>, Vec<StorageInfo>) {
	use frame_benchmarking::{baseline::Pallet as BaselineBench, BenchmarkList};
	use frame_support::traits::StorageInfoTrait;
	use frame_system_benchmarking::{
		extensions::Pallet as SystemExtensionsBench, Pallet as SystemBench,
	};

	let mut list = Vec::<BenchmarkList>::new();
	list_benchmarks!(list, extra);
	(list, AllPalletsWithSystem::storage_info())
}

/// Runs the benchmarks selected by `config` (`Benchmark::dispatch_benchmark`).
pub fn dispatch_benchmark(config: BenchmarkConfig) -> Result<Vec<BenchmarkBatch>, String> {
	use frame_benchmarking::{baseline::Pallet as BaselineBench, BenchmarkBatch};
	use frame_support::traits::WhitelistedStorageKeys;
	use frame_system_benchmarking::{
		extensions::Pallet as SystemExtensionsBench, Pallet as SystemBench,
	};
	use sp_storage::TrackedStorageKey;

	let whitelist: Vec<TrackedStorageKey> = AllPalletsWithSystem::whitelisted_storage_keys();
	let mut batches = Vec::<BenchmarkBatch>::new();
	let params = (&config, &whitelist);
	add_benchmarks!(params, batches);
	Ok(batches)
}
