//! `try_state`: the invariants of docs/architecture.md §10 that concern the witness pool.
//!
//! 1. Per witness: `WitnessStake` hold == the record's `stake` (no hold without a record).
//! 4. No unsettled committee contains the lease's provider or customer, an unregistered
//!    witness, or a witness not yet activated when the round opened (a suspended witness never
//!    joins; it may become suspended while sitting).
//! 5. Committees are at most `committee_size` long (≤ `MaxCommittee`), members are unique,
//!    joined members sorted by output before seeded ones; at most three rounds per lease, all
//!    of monitored leases; no agenda bucket at or before the current block.
//!
//! Bookkeeping: `WitnessCount` == number of witnesses == dense index length, the dense index
//! and `VrfKeys` agree with the records, `ActiveCount` == non-suspended witnesses, suspended
//! ⇔ reputation ≤ 0, and every witness's `seats` equals the unsettled rounds it sits in.

use crate::{
	pallet::{
		ActiveCount, Agenda, Config, HoldReason, Leases, PackageChecks, Pallet, Rounds, VrfKeys,
		WitnessAt, WitnessCount, Witnesses,
	},
	types::*,
};
use alloc::collections::{BTreeMap, BTreeSet};
use frame_support::{
	ensure,
	traits::{fungible::InspectHold, Get},
};
use sp_runtime::{
	traits::{Saturating, Zero},
	TryRuntimeError,
};

impl<T: Config> Pallet<T> {
	/// Check the witness pool's invariants.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		ensure!(Self::timings().validate(), "invalid round windows in force");
		Self::check_witnesses()?;
		let seats = Self::check_rounds()?;
		for (who, witness) in Witnesses::<T>::iter() {
			ensure!(
				witness.seats == seats.get(&who).copied().unwrap_or(0),
				"witness's seat counter differs from the unsettled rounds it sits in"
			);
		}
		for order_id in PackageChecks::<T>::iter_keys() {
			ensure!(Leases::<T>::contains_key(order_id), "package check of an unmonitored order");
		}
		let now = Self::now();
		for (block, bucket) in Agenda::<T>::iter() {
			ensure!(block > now, "agenda bucket at or before the current block");
			ensure!(!bucket.is_empty(), "empty agenda bucket kept");
		}
		Ok(())
	}

	/// Records, dense index, VRF keys, counters and holds.
	fn check_witnesses() -> Result<(), TryRuntimeError> {
		let count = WitnessCount::<T>::get();
		ensure!(count <= T::MaxWitnesses::get(), "more witnesses than MaxWitnesses");
		let mut witnesses: u32 = 0;
		let mut active: u32 = 0;
		for (who, witness) in Witnesses::<T>::iter() {
			witnesses = witnesses.saturating_add(1);
			if !witness.suspended {
				active = active.saturating_add(1);
			}
			ensure!(witness.index < count, "witness index out of range");
			ensure!(
				WitnessAt::<T>::get(witness.index).as_ref() == Some(&who),
				"dense index does not point back to the witness"
			);
			ensure!(
				VrfKeys::<T>::get(witness.vrf_key).as_ref() == Some(&who),
				"witness's VRF key not indexed"
			);
			ensure!(witness.reputation <= INITIAL_REPUTATION, "reputation above the initial one");
			ensure!(
				witness.suspended == (witness.reputation <= 0),
				"suspended iff reputation <= 0 does not hold"
			);
			let held = T::Currency::balance_on_hold(&HoldReason::WitnessStake.into(), &who);
			ensure!(held == witness.stake, "WitnessStake hold differs from the recorded stake");
		}
		ensure!(witnesses == count, "WitnessCount differs from the number of witnesses");
		ensure!(active == ActiveCount::<T>::get(), "ActiveCount differs from non-suspended");
		let mut indexed: u32 = 0;
		for (index, who) in WitnessAt::<T>::iter() {
			indexed = indexed.saturating_add(1);
			ensure!(index < count, "dense index entry beyond WitnessCount");
			let witness = Witnesses::<T>::get(&who).ok_or("dense index of an unknown witness")?;
			ensure!(witness.index == index, "dense index entry at the wrong position");
		}
		ensure!(indexed == count, "dense index length differs from WitnessCount");
		let mut keys: u32 = 0;
		for (key, who) in VrfKeys::<T>::iter() {
			keys = keys.saturating_add(1);
			let witness = Witnesses::<T>::get(&who).ok_or("VRF key of an unknown witness")?;
			ensure!(witness.vrf_key == key, "VRF key indexed for another witness");
		}
		ensure!(keys == count, "VRF key index length differs from WitnessCount");
		Ok(())
	}

	/// Leases and rounds; returns the seats every witness should hold.
	fn check_rounds() -> Result<BTreeMap<AccountIdOf<T>, u32>, TryRuntimeError> {
		let mut seats = BTreeMap::<AccountIdOf<T>, u32>::new();
		for (_, lease) in Leases::<T>::iter() {
			ensure!(
				lease.committee_size >= 1 && lease.committee_size <= T::MaxCommittee::get(),
				"lease with an invalid committee size"
			);
			ensure!(lease.current_round < lease.periods, "current round beyond the last period");
			ensure!(lease.timings.validate(), "lease with invalid round windows");
			ensure!(
				lease.timings.join_window < lease.period_length
					&& lease.timings.commit_window.saturating_add(lease.timings.reveal_window)
						< lease.period_length,
				"lease whose period is too short for its windows"
			);
		}
		for (order_id, round, record) in Rounds::<T>::iter() {
			let lease = Leases::<T>::get(order_id).ok_or("round of an unmonitored lease")?;
			ensure!(
				round <= lease.current_round && round.saturating_add(2) >= lease.current_round,
				"round outside the three live rounds of its lease"
			);
			ensure!(
				record.members.len() <= lease.committee_size as usize,
				"committee larger than its size"
			);
			ensure!(record.verdict.is_some() == (record.phase == RoundPhase::Settled), "verdict");
			ensure!(
				record.phase != RoundPhase::Abandoned || record.members.is_empty(),
				"abandoned round with members"
			);
			ensure!(record.opened_at < record.join_end, "empty join window");
			ensure!(record.join_end < record.commit_end, "join window ends after commits");
			ensure!(record.commit_end < record.reveal_end, "empty reveal window");

			let mut unique = BTreeSet::new();
			let mut commitments = BTreeSet::new();
			let mut previous: Option<u128> = None;
			let mut seeded = false;
			for member in record.members.iter() {
				ensure!(unique.insert(member.witness.clone()), "member listed twice");
				match member.output {
					Some(output) => {
						ensure!(!seeded, "joined member after a seeded one");
						ensure!(output < record.threshold, "member output not below threshold");
						ensure!(previous.is_none_or(|p| p <= output), "members not sorted");
						previous = Some(output);
					},
					None => {
						ensure!(record.phase != RoundPhase::Joining, "seeded member while joining");
						seeded = true;
					},
				}
				if let Some(commitment) = member.commitment {
					ensure!(commitments.insert(commitment), "duplicate commitment");
				} else {
					ensure!(member.revealed.is_none(), "reveal without commitment");
				}
				if record.phase == RoundPhase::Joining {
					ensure!(member.commitment.is_none(), "commitment while joining");
				}
				if record.phase.is_unsettled() {
					// docs/architecture.md §10 invariant 4.
					ensure!(
						member.witness != lease.provider && member.witness != lease.customer,
						"committee contains the lease's provider or customer"
					);
					let witness = Witnesses::<T>::get(&member.witness)
						.ok_or("committee contains an unregistered witness")?;
					ensure!(
						witness.active_from <= record.opened_at,
						"committee contains a witness not activated when the round opened"
					);
					let entry = seats.entry(member.witness.clone()).or_default();
					*entry = entry.saturating_add(1);
				}
			}
			ensure!(!record.threshold.is_zero(), "zero threshold");
		}
		Ok(seats)
	}
}
