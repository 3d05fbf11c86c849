//! Providers: registration, updates, heartbeats (signed, and the authorization of the
//! worker's fee-less ones), reputation, leaving, and the [`ProviderDirectory`] for the witnesses'
//! workers.

use crate::{
	heartbeat_crypto,
	pallet::{Config, Error, Event, HeartbeatKeys, HoldReason, Levels, Pallet, Providers},
	traits::ProviderDirectory,
	types::*,
};
use alloc::vec::Vec;
use frame_support::{pallet_prelude::*, BoundedVec};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{CheckedDiv, Saturating, UniqueSaturatedInto, Verify, Zero};

/// Priority of a worker heartbeat in the transaction pool: above ordinary transactions (whose
/// priority grows with their fee and tip), because a late heartbeat takes a provider offline.
/// It cannot crowd out anything: one per registered heartbeat key and `HeartbeatPeriod`.
pub const WORKER_HEARTBEAT_PRIORITY: TransactionPriority = TransactionPriority::MAX / 2;

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
		Self::ensure_valid_capacity(&provider, &capacity)?;

		provider.last_heartbeat = Some(Self::now());
		provider.capacity = capacity;
		Providers::<T>::insert(&who, provider);
		Self::deposit_event(Event::HeartbeatReceived { provider: who });
		Ok(())
	}

	/// Capacity entries of a heartbeat: only offered levels, each at most once.
	pub(crate) fn ensure_valid_capacity(
		provider: &ProviderRecordOf<T>,
		capacity: &[(LevelId, u32)],
	) -> DispatchResult {
		for (i, (level, _)) in capacity.iter().enumerate() {
			ensure!(provider.offers(*level), Error::<T>::CapacityForUnofferedLevel);
			ensure!(
				!capacity.iter().skip(i.saturating_add(1)).any(|(other, _)| other == level),
				Error::<T>::DuplicateLevel
			);
		}
		Ok(())
	}

	/// The authorization of `worker_heartbeat` (`#[pallet::authorize]`), run when the
	/// transaction pool validates it and again when a block includes it.
	///
	/// Rejects, in this order: `at` after the current block (`Future`); `at` at least
	/// `HeartbeatPeriod` blocks old (`Stale`); a key that is no provider's heartbeat key
	/// (`BadSigner`); a provider that already has a heartbeat recorded in the period of `at`
	/// or later — a replay, or a period already covered (`Stale`); capacity for a level the
	/// provider does not offer or repeated levels (`Call`, the dispatch would fail); a
	/// signature of `key` that does not verify over `SCALE((b"defaas/heartbeat", heartbeat))`
	/// (`BadProof`).
	///
	/// Valid heartbeats provide the tag `SCALE((b"defaas/heartbeat", key, at / HeartbeatPeriod))`
	/// (so the pool keeps one per key and period), live until `at + HeartbeatPeriod` and have
	/// priority [`WORKER_HEARTBEAT_PRIORITY`]. Nothing is refunded.
	pub(crate) fn authorize_worker_heartbeat(
		_source: TransactionSource,
		heartbeat: &HeartbeatOf<T>,
		signature: &T::WorkerSignature,
	) -> TransactionValidityWithRefund {
		let now = Self::now();
		let period = T::HeartbeatPeriod::get();
		ensure!(heartbeat.at <= now, InvalidTransaction::Future);
		let age = now.saturating_sub(heartbeat.at);
		ensure!(age < period, InvalidTransaction::Stale);
		let (period_index, period_start) =
			Self::heartbeat_period(heartbeat.at).ok_or(InvalidTransaction::Stale)?;

		let who = HeartbeatKeys::<T>::get(&heartbeat.key).ok_or(InvalidTransaction::BadSigner)?;
		let provider = Providers::<T>::get(&who).ok_or(InvalidTransaction::BadSigner)?;
		ensure!(
			provider.last_heartbeat.is_none_or(|last| last < period_start),
			InvalidTransaction::Stale
		);
		Self::ensure_valid_capacity(&provider, &heartbeat.capacity)
			.map_err(|_| InvalidTransaction::Call)?;
		let payload = heartbeat_crypto::signing_payload(heartbeat);
		ensure!(signature.verify(payload.as_slice(), &heartbeat.key), InvalidTransaction::BadProof);

		let longevity: TransactionLongevity = period.saturating_sub(age).unique_saturated_into();
		let validity = ValidTransaction {
			priority: WORKER_HEARTBEAT_PRIORITY,
			requires: Vec::new(),
			provides: alloc::vec![(
				heartbeat_crypto::HEARTBEAT_CONTEXT,
				&heartbeat.key,
				period_index
			)
				.encode()],
			longevity,
			propagate: true,
		};
		Ok((validity, Weight::zero()))
	}

	/// The heartbeat period of block `at`: its index `at / HeartbeatPeriod` and its first block
	/// (`None` if `HeartbeatPeriod` is zero, which `integrity_test` rules out).
	pub(crate) fn heartbeat_period(
		at: BlockNumberFor<T>,
	) -> Option<(BlockNumberFor<T>, BlockNumberFor<T>)> {
		let period = T::HeartbeatPeriod::get();
		let index = at.checked_div(&period)?;
		Some((index, index.saturating_mul(period)))
	}

	/// `unregister_provider`: only without leases and open bids. Leases are checked first: the
	/// winner of an auction keeps its bid deposit until it deploys, and "a lease not yet
	/// deployed" is the reason a person can act on.
	pub(crate) fn do_unregister_provider(who: T::AccountId) -> DispatchResult {
		let provider = Providers::<T>::get(&who).ok_or(Error::<T>::NotProvider)?;
		ensure!(provider.active_leases == 0, Error::<T>::HasActiveLeases);
		ensure!(provider.open_bids == 0, Error::<T>::HasOpenBids);

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

/// What the witnesses' workers read about providers and levels.
impl<T: Config> ProviderDirectory<T::AccountId> for Pallet<T> {
	fn endpoint(provider: &T::AccountId) -> Option<Vec<u8>> {
		Providers::<T>::get(provider).map(|record| record.endpoint.into_inner())
	}

	fn level_memory_mb(level: LevelId) -> Option<u32> {
		Levels::<T>::get(level).map(|level| level.memory_mb)
	}
}
