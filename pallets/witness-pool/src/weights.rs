//! Weights for `pallet_witness_pool`: **hand-written placeholders** in the format of the
//! benchmark CLI (`.maintain/pallet-weight-template.hbs`), estimated from the benchmarks' worst
//! cases (`MaxCommittee` = 21, `FillAttemptsPerSeat` = 4, `MaxAgendaSpill` = 16) until they are
//! measured. Regenerate with the command in `docs/benchmarks.md` (add `pallet_witness_pool` to
//! its pallet list); then never edit the numbers by hand.
//!
//! `join_committee` verifies an sr25519 VRF signature in the runtime (no host function), which
//! dominates its weight; `settle_round` excludes `SlaVerdictHandler::on_verdict_weight()`, which
//! `on_initialize` adds for every settled round.
//!
//! The off-chain worker's calls `worker_join`, `worker_commit` and `worker_reveal` dispatch with
//! the weights of `join_committee`, `commit_report` and `reveal_report` (same work once
//! authorized); their authorizations are weighed by `authorize_worker_join` (the VRF
//! verification), `authorize_worker_commit` and `authorize_worker_reveal` (an sr25519
//! verification host call each).

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::ParityDbWeight, Weight}};

/// Weight functions of `pallet_witness_pool`, one per call or round step (same names).
pub trait WeightInfo {
	fn register_witness() -> Weight;
	fn unregister_witness() -> Weight;
	fn join_committee() -> Weight;
	fn commit_report() -> Weight;
	fn reveal_report() -> Weight;
	fn set_timings() -> Weight;
	fn open_round() -> Weight;
	fn select_committee() -> Weight;
	fn settle_round() -> Weight;
	fn authorize_worker_join() -> Weight;
	fn authorize_worker_commit() -> Weight;
	fn authorize_worker_reveal() -> Weight;
}

/// Estimated weights, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `WitnessPool::Witnesses` (r:1 w:1)
	/// Storage: `WitnessPool::VrfKeys` (r:1 w:1)
	/// Storage: `WitnessPool::WitnessCount` (r:1 w:1)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Storage: `System::Account` (r:1 w:1)
	/// Storage: `WitnessPool::ActiveCount` (r:0 w:1)
	/// Storage: `WitnessPool::WitnessAt` (r:0 w:1)
	fn register_witness() -> Weight {
		// Proof size: estimated `3593`.
		Weight::from_parts(78_412_000, 3593)
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(7_u64))
	}
	/// Storage: `WitnessPool::Witnesses` (r:2 w:2)
	/// Storage: `WitnessPool::WitnessCount` (r:1 w:1)
	/// Storage: `WitnessPool::WitnessAt` (r:1 w:2)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Storage: `FaasToken::SlashDestination` (r:1 w:0)
	/// Storage: `System::Account` (r:1 w:1)
	/// Storage: `FaasToken::CurrentEra` (r:1 w:1)
	/// Storage: `FaasToken::YearlyInflation` (r:1 w:0)
	/// Storage: `WitnessPool::ActiveCount` (r:1 w:1)
	/// Storage: `WitnessPool::VrfKeys` (r:0 w:1)
	fn unregister_witness() -> Weight {
		// Proof size: estimated `6196`.
		Weight::from_parts(121_806_000, 6196)
			.saturating_add(T::DbWeight::get().reads(10_u64))
			.saturating_add(T::DbWeight::get().writes(10_u64))
	}
	/// Storage: `WitnessPool::Rounds` (r:1 w:1)
	/// Storage: `WitnessPool::Leases` (r:1 w:0)
	/// Storage: `WitnessPool::Witnesses` (r:2 w:2)
	fn join_committee() -> Weight {
		// Proof size: estimated `5218`.
		Weight::from_parts(1_284_530_000, 5218)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `WitnessPool::Rounds` (r:1 w:1)
	fn commit_report() -> Weight {
		// Proof size: estimated `5208`.
		Weight::from_parts(41_375_000, 5208)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `WitnessPool::Rounds` (r:1 w:1)
	fn reveal_report() -> Weight {
		// Proof size: estimated `5208`.
		Weight::from_parts(46_118_000, 5208)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `WitnessPool::Timings` (r:0 w:1)
	fn set_timings() -> Weight {
		// Proof size: estimated `0`.
		Weight::from_parts(6_912_000, 0)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `WitnessPool::Leases` (r:1 w:1)
	/// Storage: `WitnessPool::Rounds` (r:2 w:1)
	/// Storage: `Babe::NextRandomness` (r:1 w:0)
	/// Storage: `WitnessPool::ActiveCount` (r:1 w:0)
	/// Storage: `WitnessPool::Agenda` (r:48 w:3)
	fn open_round() -> Weight {
		// Proof size: estimated `55643`.
		Weight::from_parts(412_960_000, 55643)
			.saturating_add(T::DbWeight::get().reads(53_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
	}
	/// Storage: `WitnessPool::Rounds` (r:1 w:1)
	/// Storage: `WitnessPool::Leases` (r:1 w:0)
	/// Storage: `WitnessPool::WitnessCount` (r:1 w:0)
	/// Storage: `WitnessPool::WitnessAt` (r:84 w:0)
	/// Storage: `WitnessPool::Witnesses` (r:84 w:21)
	fn select_committee() -> Weight {
		// Proof size: estimated `226418`.
		Weight::from_parts(2_187_450_000, 226418)
			.saturating_add(T::DbWeight::get().reads(171_u64))
			.saturating_add(T::DbWeight::get().writes(22_u64))
	}
	/// Storage: `WitnessPool::Rounds` (r:2 w:2)
	/// Storage: `WitnessPool::Leases` (r:1 w:1)
	/// Storage: `WitnessPool::Witnesses` (r:21 w:21)
	/// Storage: `Balances::Holds` (r:10 w:10)
	/// Storage: `FaasToken::SlashDestination` (r:1 w:0)
	/// Storage: `System::Account` (r:21 w:21)
	/// Storage: `FaasToken::CurrentEra` (r:1 w:1)
	/// Storage: `WitnessPool::ActiveCount` (r:1 w:1)
	/// Storage: `Market::Orders` (r:1 w:0)
	fn settle_round() -> Weight {
		// Proof size: estimated `58470`.
		Weight::from_parts(4_912_300_000, 58470)
			.saturating_add(T::DbWeight::get().reads(113_u64))
			.saturating_add(T::DbWeight::get().writes(72_u64))
	}
	/// Storage: `WitnessPool::Rounds` (r:1 w:0)
	/// Storage: `WitnessPool::Leases` (r:1 w:0)
	/// Storage: `WitnessPool::Witnesses` (r:1 w:0)
	fn authorize_worker_join() -> Weight {
		// Proof size: estimated `5218`.
		Weight::from_parts(1_262_940_000, 5218)
			.saturating_add(T::DbWeight::get().reads(3_u64))
	}
	/// Storage: `WitnessPool::Rounds` (r:1 w:0)
	/// Storage: `WitnessPool::Witnesses` (r:1 w:0)
	fn authorize_worker_commit() -> Weight {
		// Proof size: estimated `5208`.
		Weight::from_parts(84_620_000, 5208)
			.saturating_add(T::DbWeight::get().reads(2_u64))
	}
	/// Storage: `WitnessPool::Rounds` (r:1 w:0)
	/// Storage: `WitnessPool::Witnesses` (r:1 w:0)
	fn authorize_worker_reveal() -> Weight {
		// Proof size: estimated `5208`.
		Weight::from_parts(88_370_000, 5208)
			.saturating_add(T::DbWeight::get().reads(2_u64))
	}
}

/// The same estimates with ParityDB's database weights, for tests and mocks.
impl WeightInfo for () {
	fn register_witness() -> Weight {
		Weight::from_parts(78_412_000, 3593)
			.saturating_add(ParityDbWeight::get().reads(5_u64))
			.saturating_add(ParityDbWeight::get().writes(7_u64))
	}
	fn unregister_witness() -> Weight {
		Weight::from_parts(121_806_000, 6196)
			.saturating_add(ParityDbWeight::get().reads(10_u64))
			.saturating_add(ParityDbWeight::get().writes(10_u64))
	}
	fn join_committee() -> Weight {
		Weight::from_parts(1_284_530_000, 5218)
			.saturating_add(ParityDbWeight::get().reads(4_u64))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
	}
	fn commit_report() -> Weight {
		Weight::from_parts(41_375_000, 5208)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn reveal_report() -> Weight {
		Weight::from_parts(46_118_000, 5208)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn set_timings() -> Weight {
		Weight::from_parts(6_912_000, 0)
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn open_round() -> Weight {
		Weight::from_parts(412_960_000, 55643)
			.saturating_add(ParityDbWeight::get().reads(53_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn select_committee() -> Weight {
		Weight::from_parts(2_187_450_000, 226418)
			.saturating_add(ParityDbWeight::get().reads(171_u64))
			.saturating_add(ParityDbWeight::get().writes(22_u64))
	}
	fn settle_round() -> Weight {
		Weight::from_parts(4_912_300_000, 58470)
			.saturating_add(ParityDbWeight::get().reads(113_u64))
			.saturating_add(ParityDbWeight::get().writes(72_u64))
	}
	fn authorize_worker_join() -> Weight {
		Weight::from_parts(1_262_940_000, 5218)
			.saturating_add(ParityDbWeight::get().reads(3_u64))
	}
	fn authorize_worker_commit() -> Weight {
		Weight::from_parts(84_620_000, 5208)
			.saturating_add(ParityDbWeight::get().reads(2_u64))
	}
	fn authorize_worker_reveal() -> Weight {
		Weight::from_parts(88_370_000, 5208)
			.saturating_add(ParityDbWeight::get().reads(2_u64))
	}
}
