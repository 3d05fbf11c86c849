//! The witness pool's logic. Calls in `lib.rs` delegate to the `do_*` functions of these
//! modules; `on_initialize` runs the round steps of the agenda.
//!
//! - `mod.rs`: the stake holds (every hold, release and slash goes through them, so a witness's
//!   `stake` always equals its `WitnessStake` hold), eligibility, the round windows and config
//!   checks;
//! - [`witnesses`]: registration, leaving, the dense index;
//! - [`monitoring`]: the market's [`SlaMonitor`](defaas_primitives::traits::SlaMonitor), the agenda and `on_initialize`;
//! - [`rounds`]: opening a round, joins by VRF, seeded sampling, commits and reveals;
//! - [`settlement`]: verdict, payoffs, reputation and the hand-over to the market;
//! - [`authorize`]: `#[pallet::authorize]` of the off-chain worker's calls;
//! - [`offchain`]: the off-chain worker that joins, commits and reveals for the node's
//!   witness keys;
//! - [`probing`]: the worker's probes of the leases it monitors and its probe log;
//! - [`invariants`]: the `try_state` checks.

mod authorize;
#[cfg(any(test, feature = "try-runtime"))]
mod invariants;
mod monitoring;
mod offchain;
mod probing;
mod rounds;
mod settlement;
mod witnesses;

#[cfg(test)]
pub(crate) use settlement::{lapsed_payoff, majority};
#[cfg(test)]
pub(crate) use settlement::{payoff, verdict_of, Payoff};

use crate::{
	pallet::{Config, Error, Event, HoldReason, Pallet, Timings},
	types::*,
	LOG_TARGET,
};
use defaas_primitives::traits::SlashSink;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{InspectHold, MutateHold},
		tokens::Precision,
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Saturating, Zero},
	Perbill,
};

/// The share of a block the agenda (`on_initialize`) may use in the worst case.
pub const AGENDA_BLOCK_SHARE: Perbill = Perbill::from_percent(20);

impl<T: Config> Pallet<T> {
	/// The current block number.
	pub(crate) fn now() -> BlockNumberFor<T> {
		frame_system::Pallet::<T>::block_number()
	}

	// -----------------------------------------------------------------------------------------
	// Stake holds
	// -----------------------------------------------------------------------------------------

	/// Hold `amount` from `who` as witness stake.
	pub(crate) fn hold_stake(who: &T::AccountId, amount: BalanceOf<T>) -> Result<(), Error<T>> {
		let reason: T::RuntimeHoldReason = HoldReason::WitnessStake.into();
		ensure!(T::Currency::can_hold(&reason, who, amount), Error::<T>::InsufficientBalance);
		T::Currency::hold(&reason, who, amount).map_err(|_| Error::<T>::InsufficientBalance)
	}

	/// Release up to `amount` of `who`'s witness stake; returns what was released.
	pub(crate) fn release_stake(who: &T::AccountId, amount: BalanceOf<T>) -> BalanceOf<T> {
		if amount.is_zero() {
			return Zero::zero();
		}
		let reason: T::RuntimeHoldReason = HoldReason::WitnessStake.into();
		T::Currency::release(&reason, who, amount, Precision::BestEffort).unwrap_or_else(|e| {
			log::error!(target: LOG_TARGET, "release of {:?} stake failed: {:?}", amount, e);
			Zero::zero()
		})
	}

	/// Hand up to `amount` of `who`'s witness stake to the slash sink; returns what it took,
	/// measured on the hold itself (so the record stays exact whatever the sink reports).
	pub(crate) fn slash_stake(who: &T::AccountId, amount: BalanceOf<T>) -> BalanceOf<T> {
		if amount.is_zero() {
			return Zero::zero();
		}
		let reason: T::RuntimeHoldReason = HoldReason::WitnessStake.into();
		let before = T::Currency::balance_on_hold(&reason, who);
		let _reported = T::SlashSink::slash_held(&reason, who, amount.min(before));
		let after = T::Currency::balance_on_hold(&reason, who);
		before.saturating_sub(after)
	}

	// -----------------------------------------------------------------------------------------
	// Eligibility
	// -----------------------------------------------------------------------------------------

	/// Whether `who` (with `record`) may sit in the committee of `round` of `lease`: not
	/// suspended, activated when the round opened, neither the lease's provider nor its
	/// customer, and not a member yet (docs/architecture.md §10 invariant 4).
	pub(crate) fn check_eligible(
		who: &T::AccountId,
		record: &WitnessRecordOf<T>,
		lease: &MonitoredLeaseOf<T>,
		round: &RoundRecordOf<T>,
	) -> Result<(), Error<T>> {
		ensure!(!record.suspended, Error::<T>::Suspended);
		ensure!(record.active_from <= round.opened_at, Error::<T>::NotYetActive);
		ensure!(*who != lease.provider && *who != lease.customer, Error::<T>::Ineligible);
		ensure!(!round.members.iter().any(|m| m.witness == *who), Error::<T>::AlreadyJoined);
		Ok(())
	}

	// -----------------------------------------------------------------------------------------
	// Round windows and configuration
	// -----------------------------------------------------------------------------------------

	/// The round windows in force: those stored by genesis or `set_timings`, otherwise
	/// `Config::DefaultTimings`.
	pub fn timings() -> WitnessTimingsOf<T> {
		Timings::<T>::get().unwrap_or_else(T::DefaultTimings::get)
	}

	/// `set_timings`: store valid windows (for leases monitored from now on).
	pub(crate) fn do_set_timings(timings: WitnessTimingsOf<T>) -> DispatchResult {
		ensure!(timings.validate(), Error::<T>::InvalidTimings);
		Timings::<T>::put(timings);
		Self::deposit_event(Event::TimingsSet { timings });
		Ok(())
	}

	/// The commitment a member submits for its report:
	/// `blake2_256(SCALE((order_id, round, violated, salt, witness)))`.
	pub fn report_commitment(
		order_id: OrderId,
		round: u32,
		violated: bool,
		salt: [u8; 32],
		witness: &T::AccountId,
	) -> [u8; 32] {
		sp_io::hashing::blake2_256(&(order_id, round, violated, salt, witness).encode())
	}

	/// `integrity_test`: the configuration is usable and the worst cases of the hooks fit
	/// their share of the block. Panics (at build/test time only) if not.
	pub(crate) fn check_config() {
		assert!(T::DefaultTimings::get().validate(), "DefaultTimings: every window must be >= 1");
		assert!(T::MaxCommittee::get() >= 1, "MaxCommittee must be at least 1");
		assert!(T::JoinFactor::get() >= 1, "JoinFactor must be at least 1");
		assert!(T::MaxStepsPerBlock::get() >= 1, "MaxStepsPerBlock must be at least 1");
		assert!(T::MaxWitnesses::get() >= 1, "MaxWitnesses must be at least 1");
		assert!(T::ProbesPerRound::get() >= 1, "ProbesPerRound must be at least 1");
		assert!(T::FreivaldsRounds::get() >= 1, "FreivaldsRounds must be at least 1");
		assert!(
			T::MinReputationForRefund::get() <= INITIAL_REPUTATION,
			"MinReputationForRefund above the initial reputation: no stake would ever return"
		);
		// The agenda's worst case fits its share of the block, and a step of the largest
		// committee fits a bucket (or such leases could never be monitored).
		let max_block = <T as frame_system::Config>::BlockWeights::get().max_block;
		assert!(
			Self::worst_agenda_weight()
				.all_lte(defaas_primitives::weight_share(AGENDA_BLOCK_SHARE, max_block)),
			"the agenda's worst case (MaxAgendaWeight and MaxStepsPerBlock stale entries) \
			 exceeds {AGENDA_BLOCK_SHARE:?} of the block"
		);
		for step in [Step::Open, Step::Select, Step::Settle] {
			assert!(
				Self::step_weight(step, T::MaxCommittee::get()).all_lte(T::MaxAgendaWeight::get()),
				"a {step:?} step of a MaxCommittee committee does not fit MaxAgendaWeight"
			);
		}
	}
}
