//! Coupling between the market and the SLA monitor (the witness pool).
//!
//! The market starts and stops the monitoring of a lease through [`SlaMonitor`]; the monitor
//! reports one [`Verdict`] per round (= billing period) through [`SlaVerdictHandler`], which the
//! market implements to settle that period.

use crate::types::{LeaseInfo, LevelId, OrderId};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::weights::Weight;
use scale_info::TypeInfo;
use sp_runtime::DispatchResult;

/// The outcome of one SLA round of a lease.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	frame_support::Serialize,
	frame_support::Deserialize,
)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase")]
pub enum Verdict {
	/// The committee found no violation: the period is paid to the provider.
	NoViolation,
	/// The committee found the SLA violated: the period is not paid and the provider is
	/// penalised.
	Violated,
}

/// The market asks a monitor (the witness pool) to watch a lease; `()` does nothing.
pub trait SlaMonitor<AccountId, BlockNumber> {
	/// Start watching `lease`: one round per billing period, rounds `0..lease.periods`, round
	/// `r` starting at `lease.first_period_start + r * lease.period_length`.
	///
	/// Called from the provider's `fulfill`; an error fails that call (nothing changes).
	fn start_monitoring(lease: &LeaseInfo<AccountId, BlockNumber>) -> DispatchResult;

	/// Stop watching the lease of `order_id`. Called whenever a monitored lease ends — after
	/// its last round, early termination or a verdict timeout — possibly from within
	/// [`SlaVerdictHandler::on_verdict`]; must be idempotent and must not fail.
	fn stop_monitoring(order_id: OrderId);

	/// Benchmarks only: make the next `start_monitoring` of a lease with a committee of
	/// `committee_size` succeed (e.g. by registering enough witnesses). Nothing by default.
	#[cfg(feature = "runtime-benchmarks")]
	fn prepare_for_lease(_committee_size: u32) {}
}

impl<AccountId, BlockNumber> SlaMonitor<AccountId, BlockNumber> for () {
	fn start_monitoring(_: &LeaseInfo<AccountId, BlockNumber>) -> DispatchResult {
		Ok(())
	}

	fn stop_monitoring(_: OrderId) {}
}

/// Delivered by the monitor when a round (= one billing period) has a verdict.
pub trait SlaVerdictHandler {
	/// Settle round `round` of the lease of `order_id` according to `verdict`.
	///
	/// Fails (changing nothing) for an unknown order, an order that is not being fulfilled, a
	/// round other than the next unsettled one, a round that has not started yet, or a verdict
	/// that arrived after the order's verdict deadline.
	fn on_verdict(order_id: OrderId, round: u32, verdict: Verdict) -> DispatchResult;

	/// Worst-case weight of one [`Self::on_verdict`] call, to be included in the weight of
	/// the monitor's extrinsic that delivers the verdict.
	fn on_verdict_weight() -> Weight {
		Weight::zero()
	}
}

impl SlaVerdictHandler for () {
	fn on_verdict(_: OrderId, _: u32, _: Verdict) -> DispatchResult {
		Ok(())
	}
}

/// What the witnesses' off-chain workers need to know about the provider and the level of a
/// lease they probe (DESIGN §7.2): where to send the probes and how large the capacity
/// challenge is. Read off-chain only.
pub trait ProviderDirectory<AccountId> {
	/// The registered endpoint URL of `provider` (UTF-8 bytes), if it is a provider.
	fn endpoint(provider: &AccountId) -> Option<Vec<u8>>;

	/// The memory of FaaS level `level` in MB, if the level exists.
	fn level_memory_mb(level: LevelId) -> Option<u32>;
}

/// Knows nothing.
impl<AccountId> ProviderDirectory<AccountId> for () {
	fn endpoint(_: &AccountId) -> Option<Vec<u8>> {
		None
	}

	fn level_memory_mb(_: LevelId) -> Option<u32> {
		None
	}
}
