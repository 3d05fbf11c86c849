// PLACEHOLDER: regenerate with defaas-node benchmark pallet
//
// The numbers below are hand-written, deliberately conservative estimates (assuming
// `MaxBidsPerOrder` <= 32, `MaxLevelsPerProvider` <= 16, `MaxFallbackCandidates` <= 3 and
// about 30 deadline-bucket probes); they are NOT measurements. Regenerate with:
//
//   defaas-node benchmark pallet --pallet pallet_market --extrinsic '*' \
//     --steps 50 --repeat 20 --output pallets/market/src/weights.rs

//! Placeholder weights for `pallet_market` (format of the Substrate benchmark CLI).
//!
//! NOT YET GENERATED: replace by running the command below on reference hardware.
//! DATE: -, STEPS: `50`, REPEAT: `20`, LOW RANGE: `[]`, HIGH RANGE: `[]`
//! WORST CASE MAP SIZE: `1000000`
//! HOSTNAME: `-`, CPU: `-`
//! WASM-EXECUTION: `Compiled`, CHAIN: `Some("dev")`, DB CACHE: `1024`

// Executed Command:
// defaas-node
// benchmark
// pallet
// --pallet=pallet_market
// --extrinsic=*
// --steps=50
// --repeat=20
// --output=pallets/market/src/weights.rs

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]
#![allow(dead_code)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_market`.
pub trait WeightInfo {
	fn add_level() -> Weight;
	fn register_provider() -> Weight;
	fn update_provider() -> Weight;
	fn heartbeat() -> Weight;
	fn unregister_provider() -> Weight;
	fn create_order() -> Weight;
	fn cancel_order() -> Weight;
	fn commit_bid() -> Weight;
	fn reveal_bid() -> Weight;
	fn confirm_order() -> Weight;
	fn fulfill() -> Weight;
	fn abort() -> Weight;
	fn advance() -> Weight;
	fn on_verdict() -> Weight;
	fn set_timings() -> Weight;
}

/// Weights for `pallet_market` using the Substrate node and recommended hardware.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Market::NextLevelId` (r:1 w:1)
	/// Storage: `Market::Levels` (r:0 w:1)
	fn add_level() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `750`
		//  Estimated: `1500`
		// Minimum execution time: 18_000_000 picoseconds.
		Weight::from_parts(18_000_000, 1500)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `Market::Providers` (r:1 w:1)
	/// Storage: `Market::Levels` (r:16 w:0)
	/// Storage: `Market::HeartbeatKeys` (r:1 w:1)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Storage: `System::Account` (r:1 w:1)
	/// Storage: `Market::HeldFor` (r:1 w:1)
	fn register_provider() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `6000`
		//  Estimated: `12000`
		// Minimum execution time: 90_000_000 picoseconds.
		Weight::from_parts(90_000_000, 12000)
			.saturating_add(T::DbWeight::get().reads(22_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	/// Storage: `Market::Providers` (r:1 w:1)
	/// Storage: `Market::Levels` (r:16 w:0)
	fn update_provider() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `5000`
		//  Estimated: `10000`
		// Minimum execution time: 60_000_000 picoseconds.
		Weight::from_parts(60_000_000, 10000)
			.saturating_add(T::DbWeight::get().reads(17_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Market::HeartbeatKeys` (r:1 w:0)
	/// Storage: `Market::Providers` (r:1 w:1)
	fn heartbeat() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `2000`
		//  Estimated: `4000`
		// Minimum execution time: 30_000_000 picoseconds.
		Weight::from_parts(30_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Market::Providers` (r:1 w:1)
	/// Storage: `Market::HeartbeatKeys` (r:0 w:1)
	/// Storage: `Balances::Holds` (r:2 w:2)
	/// Storage: `System::Account` (r:3 w:3)
	/// Storage: `Market::HeldFor` (r:1 w:1)
	/// Storage: slash sink (r:3 w:2)
	fn unregister_provider() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `6000`
		//  Estimated: `12000`
		// Minimum execution time: 120_000_000 picoseconds.
		Weight::from_parts(120_000_000, 12000)
			.saturating_add(T::DbWeight::get().reads(10_u64))
			.saturating_add(T::DbWeight::get().writes(10_u64))
	}
	/// Storage: `Market::Levels` (r:1 w:0)
	/// Storage: `Market::NextOrderId` (r:1 w:1)
	/// Storage: `Market::Orders` (r:0 w:1)
	/// Storage: `Market::OpenOrders` (r:0 w:1)
	/// Storage: `Market::Deadlines` (r:32 w:1)
	/// Storage: `Market::DeadlineCursor` (r:1 w:1)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Storage: `System::Account` (r:1 w:1)
	/// Storage: `Market::HeldFor` (r:1 w:1)
	/// Storage: `Market::Timings` (r:1 w:0)
	fn create_order() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `6000`
		//  Estimated: `12000`
		// Minimum execution time: 110_000_000 picoseconds.
		Weight::from_parts(110_000_000, 12000)
			.saturating_add(T::DbWeight::get().reads(43_u64))
			.saturating_add(T::DbWeight::get().writes(10_u64))
	}
	/// Storage: `Market::Orders` (r:1 w:1)
	/// Storage: `Market::Bids` (r:1 w:1)
	/// Storage: `Market::OpenOrders` (r:0 w:1)
	/// Storage: `Market::Providers` (r:32 w:32)
	/// Storage: `Balances::Holds` (r:33 w:33)
	/// Storage: `System::Account` (r:33 w:33)
	/// Storage: `Market::HeldFor` (r:33 w:33)
	/// Storage: `Market::Deadlines` (r:32 w:1)
	/// Storage: `Market::DeadlineCursor` (r:1 w:0)
	/// Storage: `Market::Timings` (r:1 w:0)
	fn cancel_order() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `80000`
		//  Estimated: `160000`
		// Minimum execution time: 1_200_000_000 picoseconds.
		Weight::from_parts(1_200_000_000, 160000)
			.saturating_add(T::DbWeight::get().reads(176_u64))
			.saturating_add(T::DbWeight::get().writes(140_u64))
	}
	/// Storage: `Market::Orders` (r:1 w:0)
	/// Storage: `Market::Providers` (r:1 w:1)
	/// Storage: `Market::Bids` (r:1 w:1)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Storage: `System::Account` (r:1 w:1)
	/// Storage: `Market::HeldFor` (r:1 w:1)
	/// Storage: `Market::Timings` (r:1 w:0)
	fn commit_bid() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `5000`
		//  Estimated: `10000`
		// Minimum execution time: 80_000_000 picoseconds.
		Weight::from_parts(80_000_000, 10000)
			.saturating_add(T::DbWeight::get().reads(7_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	/// Storage: `Market::Orders` (r:1 w:0)
	/// Storage: `Market::Bids` (r:1 w:1)
	/// Storage: `Market::Timings` (r:1 w:0)
	fn reveal_bid() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `4000`
		//  Estimated: `8000`
		// Minimum execution time: 50_000_000 picoseconds.
		Weight::from_parts(50_000_000, 8000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Market::Orders` (r:1 w:1)
	/// Storage: `Market::Bids` (r:1 w:1)
	/// Storage: `Market::Providers` (r:5 w:5)
	/// Storage: `Balances::Holds` (r:4 w:4)
	/// Storage: `System::Account` (r:4 w:4)
	/// Storage: `Market::HeldFor` (r:4 w:4)
	/// Storage: `Market::RecentPrices` (r:1 w:1)
	/// Storage: `Market::Deadlines` (r:32 w:1)
	/// Storage: `Market::DeadlineCursor` (r:1 w:0)
	/// Storage: `Market::Timings` (r:1 w:0)
	fn confirm_order() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `15000`
		//  Estimated: `30000`
		// Minimum execution time: 250_000_000 picoseconds.
		Weight::from_parts(250_000_000, 30000)
			.saturating_add(T::DbWeight::get().reads(56_u64))
			.saturating_add(T::DbWeight::get().writes(22_u64))
	}
	/// Storage: `Market::Orders` (r:1 w:1)
	/// Storage: `Market::Bids` (r:1 w:1)
	/// Storage: `Market::Providers` (r:1 w:1)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Storage: `System::Account` (r:1 w:1)
	/// Storage: `Market::HeldFor` (r:1 w:1)
	/// Storage: `Market::Deadlines` (r:32 w:1)
	/// Storage: `Market::DeadlineCursor` (r:1 w:0)
	/// Storage: SLA monitor (r:6 w:5)
	/// Storage: `Market::Timings` (r:1 w:0)
	fn fulfill() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `10000`
		//  Estimated: `20000`
		// Minimum execution time: 150_000_000 picoseconds.
		Weight::from_parts(150_000_000, 20000)
			.saturating_add(T::DbWeight::get().reads(46_u64))
			.saturating_add(T::DbWeight::get().writes(12_u64))
	}
	/// Storage: `Market::Orders` (r:1 w:1)
	/// Storage: `Market::Bids` (r:1 w:1)
	/// Storage: `Market::OpenOrders` (r:0 w:1)
	/// Storage: `Market::Providers` (r:2 w:2)
	/// Storage: `Balances::Holds` (r:2 w:2)
	/// Storage: `System::Account` (r:2 w:2)
	/// Storage: `Market::HeldFor` (r:2 w:2)
	/// Storage: `Market::Deadlines` (r:32 w:1)
	/// Storage: `Market::DeadlineCursor` (r:1 w:0)
	/// Storage: `Market::Timings` (r:1 w:0)
	fn abort() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `10000`
		//  Estimated: `20000`
		// Minimum execution time: 150_000_000 picoseconds.
		Weight::from_parts(150_000_000, 20000)
			.saturating_add(T::DbWeight::get().reads(46_u64))
			.saturating_add(T::DbWeight::get().writes(14_u64))
	}
	/// Storage: `Market::Orders` (r:1 w:1)
	/// Storage: `Market::Bids` (r:1 w:1)
	/// Storage: `Market::OpenOrders` (r:0 w:1)
	/// Storage: `Market::Providers` (r:32 w:32)
	/// Storage: `Balances::Holds` (r:64 w:64)
	/// Storage: `System::Account` (r:64 w:64)
	/// Storage: `Market::HeldFor` (r:32 w:32)
	/// Storage: `Market::Deadlines` (r:32 w:1)
	/// Storage: `Market::DeadlineCursor` (r:1 w:0)
	/// Storage: slash sink (r:32 w:32)
	/// Storage: `Market::Timings` (r:1 w:0)
	fn advance() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `125000`
		//  Estimated: `250000`
		// Minimum execution time: 2_500_000_000 picoseconds.
		Weight::from_parts(2_500_000_000, 250000)
			.saturating_add(T::DbWeight::get().reads(241_u64))
			.saturating_add(T::DbWeight::get().writes(200_u64))
	}
	/// Storage: `Market::Orders` (r:1 w:1)
	/// Storage: `Market::Providers` (r:1 w:1)
	/// Storage: `Balances::Holds` (r:2 w:2)
	/// Storage: `System::Account` (r:2 w:2)
	/// Storage: `Market::HeldFor` (r:2 w:2)
	/// Storage: `Market::Bids` (r:1 w:1)
	/// Storage: `Market::OpenOrders` (r:0 w:1)
	/// Storage: `Market::Deadlines` (r:32 w:1)
	/// Storage: `Market::DeadlineCursor` (r:1 w:0)
	/// Storage: SLA monitor (r:6 w:4)
	/// Storage: `Market::Timings` (r:1 w:0)
	fn on_verdict() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `12500`
		//  Estimated: `25000`
		// Minimum execution time: 200_000_000 picoseconds.
		Weight::from_parts(200_000_000, 25000)
			.saturating_add(T::DbWeight::get().reads(51_u64))
			.saturating_add(T::DbWeight::get().writes(16_u64))
	}
	/// Storage: `Market::Timings` (r:0 w:1)
	fn set_timings() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `0`
		//  Estimated: `0`
		// Minimum execution time: 12_000_000 picoseconds.
		Weight::from_parts(12_000_000, 0)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
}

// For backwards compatibility and tests.
impl WeightInfo for () {
	/// Storage: `Market::NextLevelId` (r:1 w:1)
	/// Storage: `Market::Levels` (r:0 w:1)
	fn add_level() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `750`
		//  Estimated: `1500`
		// Minimum execution time: 18_000_000 picoseconds.
		Weight::from_parts(18_000_000, 1500)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	/// Storage: `Market::Providers` (r:1 w:1)
	/// Storage: `Market::Levels` (r:16 w:0)
	/// Storage: `Market::HeartbeatKeys` (r:1 w:1)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Storage: `System::Account` (r:1 w:1)
	/// Storage: `Market::HeldFor` (r:1 w:1)
	fn register_provider() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `6000`
		//  Estimated: `12000`
		// Minimum execution time: 90_000_000 picoseconds.
		Weight::from_parts(90_000_000, 12000)
			.saturating_add(RocksDbWeight::get().reads(22_u64))
			.saturating_add(RocksDbWeight::get().writes(5_u64))
	}
	/// Storage: `Market::Providers` (r:1 w:1)
	/// Storage: `Market::Levels` (r:16 w:0)
	fn update_provider() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `5000`
		//  Estimated: `10000`
		// Minimum execution time: 60_000_000 picoseconds.
		Weight::from_parts(60_000_000, 10000)
			.saturating_add(RocksDbWeight::get().reads(17_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	/// Storage: `Market::HeartbeatKeys` (r:1 w:0)
	/// Storage: `Market::Providers` (r:1 w:1)
	fn heartbeat() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `2000`
		//  Estimated: `4000`
		// Minimum execution time: 30_000_000 picoseconds.
		Weight::from_parts(30_000_000, 4000)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	/// Storage: `Market::Providers` (r:1 w:1)
	/// Storage: `Market::HeartbeatKeys` (r:0 w:1)
	/// Storage: `Balances::Holds` (r:2 w:2)
	/// Storage: `System::Account` (r:3 w:3)
	/// Storage: `Market::HeldFor` (r:1 w:1)
	/// Storage: slash sink (r:3 w:2)
	fn unregister_provider() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `6000`
		//  Estimated: `12000`
		// Minimum execution time: 120_000_000 picoseconds.
		Weight::from_parts(120_000_000, 12000)
			.saturating_add(RocksDbWeight::get().reads(10_u64))
			.saturating_add(RocksDbWeight::get().writes(10_u64))
	}
	/// Storage: `Market::Levels` (r:1 w:0)
	/// Storage: `Market::NextOrderId` (r:1 w:1)
	/// Storage: `Market::Orders` (r:0 w:1)
	/// Storage: `Market::OpenOrders` (r:0 w:1)
	/// Storage: `Market::Deadlines` (r:32 w:1)
	/// Storage: `Market::DeadlineCursor` (r:1 w:1)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Storage: `System::Account` (r:1 w:1)
	/// Storage: `Market::HeldFor` (r:1 w:1)
	/// Storage: `Market::Timings` (r:1 w:0)
	fn create_order() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `6000`
		//  Estimated: `12000`
		// Minimum execution time: 110_000_000 picoseconds.
		Weight::from_parts(110_000_000, 12000)
			.saturating_add(RocksDbWeight::get().reads(43_u64))
			.saturating_add(RocksDbWeight::get().writes(10_u64))
	}
	/// Storage: `Market::Orders` (r:1 w:1)
	/// Storage: `Market::Bids` (r:1 w:1)
	/// Storage: `Market::OpenOrders` (r:0 w:1)
	/// Storage: `Market::Providers` (r:32 w:32)
	/// Storage: `Balances::Holds` (r:33 w:33)
	/// Storage: `System::Account` (r:33 w:33)
	/// Storage: `Market::HeldFor` (r:33 w:33)
	/// Storage: `Market::Deadlines` (r:32 w:1)
	/// Storage: `Market::DeadlineCursor` (r:1 w:0)
	/// Storage: `Market::Timings` (r:1 w:0)
	fn cancel_order() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `80000`
		//  Estimated: `160000`
		// Minimum execution time: 1_200_000_000 picoseconds.
		Weight::from_parts(1_200_000_000, 160000)
			.saturating_add(RocksDbWeight::get().reads(176_u64))
			.saturating_add(RocksDbWeight::get().writes(140_u64))
	}
	/// Storage: `Market::Orders` (r:1 w:0)
	/// Storage: `Market::Providers` (r:1 w:1)
	/// Storage: `Market::Bids` (r:1 w:1)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Storage: `System::Account` (r:1 w:1)
	/// Storage: `Market::HeldFor` (r:1 w:1)
	/// Storage: `Market::Timings` (r:1 w:0)
	fn commit_bid() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `5000`
		//  Estimated: `10000`
		// Minimum execution time: 80_000_000 picoseconds.
		Weight::from_parts(80_000_000, 10000)
			.saturating_add(RocksDbWeight::get().reads(7_u64))
			.saturating_add(RocksDbWeight::get().writes(5_u64))
	}
	/// Storage: `Market::Orders` (r:1 w:0)
	/// Storage: `Market::Bids` (r:1 w:1)
	/// Storage: `Market::Timings` (r:1 w:0)
	fn reveal_bid() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `4000`
		//  Estimated: `8000`
		// Minimum execution time: 50_000_000 picoseconds.
		Weight::from_parts(50_000_000, 8000)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	/// Storage: `Market::Orders` (r:1 w:1)
	/// Storage: `Market::Bids` (r:1 w:1)
	/// Storage: `Market::Providers` (r:5 w:5)
	/// Storage: `Balances::Holds` (r:4 w:4)
	/// Storage: `System::Account` (r:4 w:4)
	/// Storage: `Market::HeldFor` (r:4 w:4)
	/// Storage: `Market::RecentPrices` (r:1 w:1)
	/// Storage: `Market::Deadlines` (r:32 w:1)
	/// Storage: `Market::DeadlineCursor` (r:1 w:0)
	/// Storage: `Market::Timings` (r:1 w:0)
	fn confirm_order() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `15000`
		//  Estimated: `30000`
		// Minimum execution time: 250_000_000 picoseconds.
		Weight::from_parts(250_000_000, 30000)
			.saturating_add(RocksDbWeight::get().reads(56_u64))
			.saturating_add(RocksDbWeight::get().writes(22_u64))
	}
	/// Storage: `Market::Orders` (r:1 w:1)
	/// Storage: `Market::Bids` (r:1 w:1)
	/// Storage: `Market::Providers` (r:1 w:1)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Storage: `System::Account` (r:1 w:1)
	/// Storage: `Market::HeldFor` (r:1 w:1)
	/// Storage: `Market::Deadlines` (r:32 w:1)
	/// Storage: `Market::DeadlineCursor` (r:1 w:0)
	/// Storage: SLA monitor (r:6 w:5)
	/// Storage: `Market::Timings` (r:1 w:0)
	fn fulfill() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `10000`
		//  Estimated: `20000`
		// Minimum execution time: 150_000_000 picoseconds.
		Weight::from_parts(150_000_000, 20000)
			.saturating_add(RocksDbWeight::get().reads(46_u64))
			.saturating_add(RocksDbWeight::get().writes(12_u64))
	}
	/// Storage: `Market::Orders` (r:1 w:1)
	/// Storage: `Market::Bids` (r:1 w:1)
	/// Storage: `Market::OpenOrders` (r:0 w:1)
	/// Storage: `Market::Providers` (r:2 w:2)
	/// Storage: `Balances::Holds` (r:2 w:2)
	/// Storage: `System::Account` (r:2 w:2)
	/// Storage: `Market::HeldFor` (r:2 w:2)
	/// Storage: `Market::Deadlines` (r:32 w:1)
	/// Storage: `Market::DeadlineCursor` (r:1 w:0)
	/// Storage: `Market::Timings` (r:1 w:0)
	fn abort() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `10000`
		//  Estimated: `20000`
		// Minimum execution time: 150_000_000 picoseconds.
		Weight::from_parts(150_000_000, 20000)
			.saturating_add(RocksDbWeight::get().reads(46_u64))
			.saturating_add(RocksDbWeight::get().writes(14_u64))
	}
	/// Storage: `Market::Orders` (r:1 w:1)
	/// Storage: `Market::Bids` (r:1 w:1)
	/// Storage: `Market::OpenOrders` (r:0 w:1)
	/// Storage: `Market::Providers` (r:32 w:32)
	/// Storage: `Balances::Holds` (r:64 w:64)
	/// Storage: `System::Account` (r:64 w:64)
	/// Storage: `Market::HeldFor` (r:32 w:32)
	/// Storage: `Market::Deadlines` (r:32 w:1)
	/// Storage: `Market::DeadlineCursor` (r:1 w:0)
	/// Storage: slash sink (r:32 w:32)
	/// Storage: `Market::Timings` (r:1 w:0)
	fn advance() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `125000`
		//  Estimated: `250000`
		// Minimum execution time: 2_500_000_000 picoseconds.
		Weight::from_parts(2_500_000_000, 250000)
			.saturating_add(RocksDbWeight::get().reads(241_u64))
			.saturating_add(RocksDbWeight::get().writes(200_u64))
	}
	/// Storage: `Market::Orders` (r:1 w:1)
	/// Storage: `Market::Providers` (r:1 w:1)
	/// Storage: `Balances::Holds` (r:2 w:2)
	/// Storage: `System::Account` (r:2 w:2)
	/// Storage: `Market::HeldFor` (r:2 w:2)
	/// Storage: `Market::Bids` (r:1 w:1)
	/// Storage: `Market::OpenOrders` (r:0 w:1)
	/// Storage: `Market::Deadlines` (r:32 w:1)
	/// Storage: `Market::DeadlineCursor` (r:1 w:0)
	/// Storage: SLA monitor (r:6 w:4)
	/// Storage: `Market::Timings` (r:1 w:0)
	fn on_verdict() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `12500`
		//  Estimated: `25000`
		// Minimum execution time: 200_000_000 picoseconds.
		Weight::from_parts(200_000_000, 25000)
			.saturating_add(RocksDbWeight::get().reads(51_u64))
			.saturating_add(RocksDbWeight::get().writes(16_u64))
	}
	/// Storage: `Market::Timings` (r:0 w:1)
	fn set_timings() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `0`
		//  Estimated: `0`
		// Minimum execution time: 12_000_000 picoseconds.
		Weight::from_parts(12_000_000, 0)
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
}
