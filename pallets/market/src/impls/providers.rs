//! Providers: registration, updates, heartbeats, reputation and leaving.

use crate::{
	pallet::{Config, Error, Event, HeartbeatKeys, HoldReason, Levels, Pallet, Providers},
	types::*,
};
use frame_support::{pallet_prelude::*, BoundedVec};
use sp_runtime::traits::Zero;

impl<T: Config> Pallet<T> {
	/// `register_provider`.
	pub(crate) fn do_register_provider(
		who: T::AccountId,
		stake: BalanceOf<T>,
		endpoint: BoundedVec<u8, T::MaxEndpointLen>,
		levels: BoundedVec<LevelId, T::MaxLevelsPerProvider>,
		heartbeat_key: T::AccountId,
	) -> DispatchResult {
		ensure!(!Providers::<T>::contains_key(&who), Error::<T>::AlreadyRegistered);
		ensure!(stake >= T::MinProviderStake::get(), Error::<T>::StakeTooLow);
		ensure!(!endpoint.is_empty(), Error::<T>::EmptyEndpoint);
		Self::ensure_valid_levels(&levels)?;
		ensure!(!HeartbeatKeys::<T>::contains_key(&heartbeat_key), Error::<T>::HeartbeatKeyInUse);
		ensure!(
			Self::can_hold(HoldReason::ProviderStake, &who, stake),
			Error::<T>::InsufficientBalance
		);

		Self::hold(HoldReason::ProviderStake, &who, stake)?;
		HeartbeatKeys::<T>::insert(&heartbeat_key, &who);
		Providers::<T>::insert(
			&who,
			ProviderRecord {
				stake,
				endpoint,
				levels,
				heartbeat_key: heartbeat_key.clone(),
				last_heartbeat: None,
				capacity: BoundedVec::new(),
				successes: 0,
				violations: 0,
				open_bids: 0,
				active_leases: 0,
				registered_at: Self::now(),
			},
		);
		Self::deposit_event(Event::ProviderRegistered { provider: who, stake, heartbeat_key });
		Ok(())
	}

	/// `update_provider`: new endpoint and levels; capacity entries of dropped levels go.
	pub(crate) fn do_update_provider(
		who: T::AccountId,
		endpoint: BoundedVec<u8, T::MaxEndpointLen>,
		levels: BoundedVec<LevelId, T::MaxLevelsPerProvider>,
	) -> DispatchResult {
		let mut provider = Providers::<T>::get(&who).ok_or(Error::<T>::NotProvider)?;
		ensure!(!endpoint.is_empty(), Error::<T>::EmptyEndpoint);
		Self::ensure_valid_levels(&levels)?;

		provider.capacity.retain(|(level, _)| levels.contains(level));
		provider.endpoint = endpoint;
		provider.levels = levels;
		Providers::<T>::insert(&who, provider);
		Self::deposit_event(Event::ProviderUpdated { provider: who });
		Ok(())
	}

	/// `heartbeat`, signed by the provider's heartbeat key.
	pub(crate) fn do_heartbeat(
		key: T::AccountId,
		capacity: BoundedVec<(LevelId, u32), T::MaxLevelsPerProvider>,
	) -> DispatchResult {
		let who = HeartbeatKeys::<T>::get(&key).ok_or(Error::<T>::UnknownHeartbeatKey)?;
		let mut provider = Providers::<T>::get(&who).ok_or(Error::<T>::Inconsistent)?;
		for (i, (level, _)) in capacity.iter().enumerate() {
			ensure!(provider.offers(*level), Error::<T>::CapacityForUnofferedLevel);
			ensure!(
				!capacity.iter().skip(i.saturating_add(1)).any(|(other, _)| other == level),
				Error::<T>::DuplicateLevel
			);
		}

		provider.last_heartbeat = Some(Self::now());
		provider.capacity = capacity;
		Providers::<T>::insert(&who, provider);
		Self::deposit_event(Event::HeartbeatReceived { provider: who });
		Ok(())
	}

	/// `unregister_provider`: only without open bids and leases.
	pub(crate) fn do_unregister_provider(who: T::AccountId) -> DispatchResult {
		let provider = Providers::<T>::get(&who).ok_or(Error::<T>::NotProvider)?;
		ensure!(provider.open_bids == 0, Error::<T>::HasOpenBids);
		ensure!(provider.active_leases == 0, Error::<T>::HasActiveLeases);

		let (slashed, released) = if provider.reputation() >= T::MinReputationForRefund::get() {
			(Zero::zero(), Self::release(HoldReason::ProviderStake, &who, provider.stake))
		} else {
			Self::slash_or_release(HoldReason::ProviderStake, &who, provider.stake)
		};
		HeartbeatKeys::<T>::remove(&provider.heartbeat_key);
		Providers::<T>::remove(&who);
		Self::deposit_event(Event::ProviderUnregistered { provider: who, released, slashed });
		Ok(())
	}

	/// Levels of a provider: non-empty, existing, no duplicates.
	fn ensure_valid_levels(levels: &[LevelId]) -> DispatchResult {
		ensure!(!levels.is_empty(), Error::<T>::NoLevels);
		for (i, level) in levels.iter().enumerate() {
			ensure!(Levels::<T>::contains_key(level), Error::<T>::UnknownLevel);
			ensure!(
				!levels.iter().skip(i.saturating_add(1)).any(|other| other == level),
				Error::<T>::DuplicateLevel
			);
		}
		Ok(())
	}

	/// One reputation counter after decay by `ReputationDecay`.
	pub(crate) fn decayed(counter: u64) -> u64 {
		counter.saturating_sub(T::ReputationDecay::get().mul_floor(counter))
	}

	/// Record one settled period in the provider's decayed counters.
	pub(crate) fn record_period(provider: &mut ProviderRecordOf<T>, violated: bool) {
		provider.successes = Self::decayed(provider.successes);
		provider.violations = Self::decayed(provider.violations);
		if violated {
			provider.violations = provider.violations.saturating_add(REPUTATION_SCALE);
		} else {
			provider.successes = provider.successes.saturating_add(REPUTATION_SCALE);
		}
	}

	/// Adjust the open-bid counter of `who` (missing providers are ignored).
	pub(crate) fn bid_closed(who: &T::AccountId) {
		Providers::<T>::mutate(who, |p| {
			if let Some(p) = p {
				p.open_bids = p.open_bids.saturating_sub(1);
			}
		});
	}

	/// Adjust the active-lease counter of `who` (missing providers are ignored).
	pub(crate) fn lease_closed(who: &T::AccountId) {
		Providers::<T>::mutate(who, |p| {
			if let Some(p) = p {
				p.active_leases = p.active_leases.saturating_sub(1);
			}
		});
	}
}
