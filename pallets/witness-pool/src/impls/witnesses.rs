//! Witnesses: registration, leaving and the dense index seeded sampling draws from.

use crate::{
	pallet::{
		ActiveCount, Config, Error, Event, Pallet, VrfKeys, WitnessAt, WitnessCount, Witnesses,
	},
	types::*,
	vrf::VrfKey,
};
use frame_support::pallet_prelude::*;
use sp_runtime::traits::{Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// `register_witness`.
	pub(crate) fn do_register_witness(
		who: T::AccountId,
		stake: BalanceOf<T>,
		vrf_key: VrfKey,
	) -> DispatchResult {
		ensure!(stake >= T::MinWitnessStake::get(), Error::<T>::StakeTooLow);
		ensure!(!Witnesses::<T>::contains_key(&who), Error::<T>::AlreadyRegistered);
		ensure!(!VrfKeys::<T>::contains_key(vrf_key), Error::<T>::KeyInUse);
		let index = WitnessCount::<T>::get();
		ensure!(index < T::MaxWitnesses::get(), Error::<T>::TooManyWitnesses);
		let count = index.checked_add(1).ok_or(Error::<T>::TooManyWitnesses)?;

		Self::hold_stake(&who, stake)?;
		let now = Self::now();
		let active_from = now.saturating_add(T::ActivationDelay::get());
		Witnesses::<T>::insert(
			&who,
			WitnessRecord {
				vrf_key,
				stake,
				registered_at: now,
				active_from,
				reputation: INITIAL_REPUTATION,
				suspended: false,
				seats: 0,
				index,
			},
		);
		VrfKeys::<T>::insert(vrf_key, &who);
		WitnessAt::<T>::insert(index, &who);
		WitnessCount::<T>::put(count);
		ActiveCount::<T>::mutate(|active| *active = active.saturating_add(1));
		Self::deposit_event(Event::WitnessRegistered { witness: who, stake, vrf_key, active_from });
		Ok(())
	}

	/// `unregister_witness`: only outside every unsettled committee.
	pub(crate) fn do_unregister_witness(who: T::AccountId) -> DispatchResult {
		let record = Witnesses::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
		ensure!(record.seats == 0, Error::<T>::InCommittee);
		let last = WitnessCount::<T>::get().checked_sub(1).ok_or(Error::<T>::Inconsistent)?;
		let moved = if record.index == last {
			None
		} else {
			Some(WitnessAt::<T>::get(last).ok_or(Error::<T>::Inconsistent)?)
		};

		let (slashed, refunded) = if record.reputation >= T::MinReputationForRefund::get() {
			(Zero::zero(), Self::release_stake(&who, record.stake))
		} else {
			// Whatever the sink does not take is released, so no hold outlives the record.
			let slashed = Self::slash_stake(&who, record.stake);
			(slashed, Self::release_stake(&who, record.stake.saturating_sub(slashed)))
		};

		// Swap-remove from the dense index.
		if let Some(moved) = moved {
			WitnessAt::<T>::insert(record.index, &moved);
			Witnesses::<T>::mutate(&moved, |r| {
				if let Some(r) = r {
					r.index = record.index;
				}
			});
		}
		WitnessAt::<T>::remove(last);
		WitnessCount::<T>::put(last);
		if !record.suspended {
			ActiveCount::<T>::mutate(|active| *active = active.saturating_sub(1));
		}
		VrfKeys::<T>::remove(record.vrf_key);
		Witnesses::<T>::remove(&who);
		Self::deposit_event(Event::WitnessUnregistered { witness: who, refunded, slashed });
		Ok(())
	}

	/// Apply a reputation change to `record` and suspend the witness at zero or below.
	pub(crate) fn apply_reputation(
		who: &T::AccountId,
		record: &mut WitnessRecordOf<T>,
		penalty: i32,
	) {
		if penalty == 0 {
			return;
		}
		record.reputation = record.reputation.saturating_sub(penalty);
		if record.reputation <= 0 && !record.suspended {
			record.suspended = true;
			ActiveCount::<T>::mutate(|active| *active = active.saturating_sub(1));
			Self::deposit_event(Event::WitnessSuspended {
				witness: who.clone(),
				reputation: record.reputation,
			});
		}
	}

	/// Give back one seat of `who` (a round it sat in settled or was dropped).
	pub(crate) fn release_seat(who: &T::AccountId) {
		Witnesses::<T>::mutate(who, |r| {
			if let Some(r) = r {
				r.seats = r.seats.saturating_sub(1);
			}
		});
	}
}
