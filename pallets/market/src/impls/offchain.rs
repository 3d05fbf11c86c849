//! The provider heartbeat worker (docs/architecture.md §7.1), run by `offchain_worker` on every node.
//!
//! For every `prov` key in the node's keystore whose account is a provider's heartbeat key,
//! once per `HeartbeatPeriod` (at blocks that are multiples of it, or at the first run after
//! such a block was missed): check that the provider's daemon answers
//! `GET {endpoint}/healthz` with `2xx` within `HeartbeatProbeTimeoutMs`; if so, sign a
//! [`Heartbeat`] (capacity from the body if it is JSON with `"capacity":[[level,count],...]`,
//! else the capacity recorded on chain) and submit it as the fee-less `worker_heartbeat`. An
//! unhealthy daemon gets no heartbeat, so the provider goes offline after `heartbeat_grace`.
//!
//! Each attempt is claimed per key and period in persistent off-chain storage
//! ([`HeartbeatWorkerRecord`] under [`heartbeat_worker_key`]) with a compare-and-set, so
//! concurrent or repeated runs (forks, re-imports) probe and submit at most once per period.

use crate::{
	heartbeat_crypto::{self, KEY_TYPE},
	pallet::{Call, Config, HeartbeatKeys, Pallet, Providers},
	types::*,
	LOG_TARGET,
};
use alloc::vec::Vec;
use codec::{Decode, Encode};
use defaas_offchain_workers::probe::{parse_capacity, probe_healthz};
use frame_support::{traits::Get, BoundedVec};
use frame_system::{
	offchain::{CreateAuthorizedTransaction, SubmitTransaction},
	pallet_prelude::BlockNumberFor,
};
use sp_core::sr25519;
use sp_runtime::{
	offchain::storage::{MutateStorageError, StorageValueRef},
	traits::{IdentifyAccount, Saturating, Zero},
};

/// Prefix of the worker's persistent off-chain storage: the record of heartbeat key `key` is
/// stored under `HEARTBEAT_WORKER_PREFIX ++ SCALE(key)`.
pub const HEARTBEAT_WORKER_PREFIX: &[u8] = b"defaas/ocw/heartbeat/";

/// The worker's persistent record of one heartbeat key (SCALE-encoded).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode)]
pub struct HeartbeatWorkerRecord<BlockNumber> {
	/// Index (`block / HeartbeatPeriod`) of the last period whose heartbeat was claimed by a
	/// worker run (probed, and submitted if healthy).
	pub claimed_period: Option<BlockNumber>,
	/// Block of the last heartbeat handed to the transaction pool.
	pub last_sent: Option<BlockNumber>,
}

/// The persistent off-chain storage key of the worker's record of heartbeat key `key`.
pub fn heartbeat_worker_key(key: &impl Encode) -> Vec<u8> {
	let mut storage_key = HEARTBEAT_WORKER_PREFIX.to_vec();
	key.encode_to(&mut storage_key);
	storage_key
}

/// Why a run does not beat for a key.
#[derive(Debug)]
enum Skip {
	/// Neither a heartbeat block nor a missed one.
	NotDue,
	/// This period was claimed already (an earlier or a concurrent run).
	Claimed,
}

impl<T: Config> Pallet<T> {
	/// `offchain_worker`: beat for every local `prov` key that is a provider's heartbeat key.
	///
	/// Reads the keystore (`sp_io::crypto::sr25519_public_keys`), which exists in every
	/// off-chain worker run of a node.
	pub(crate) fn offchain_heartbeat(now: BlockNumberFor<T>) {
		if T::HeartbeatPeriod::get().is_zero() {
			return;
		}
		for public in sp_io::crypto::sr25519_public_keys(KEY_TYPE) {
			let key: T::AccountId = T::WorkerPublic::from(public).into_account();
			let Some(who) = HeartbeatKeys::<T>::get(&key) else {
				log::debug!(target: LOG_TARGET, "prov key {key:?} is no provider's heartbeat key");
				continue;
			};
			let Some(provider) = Providers::<T>::get(&who) else { continue };
			Self::beat(now, &public, key, who, provider);
		}
	}

	/// The heartbeat of one key at block `now`, if due and healthy.
	fn beat(
		now: BlockNumberFor<T>,
		public: &sr25519::Public,
		key: T::AccountId,
		who: T::AccountId,
		provider: ProviderRecordOf<T>,
	) {
		let Some((period_index, period_start)) = Self::heartbeat_period(now) else { return };
		if provider.last_heartbeat.is_some_and(|last| last >= period_start) {
			log::debug!(target: LOG_TARGET, "provider {who:?} already has a heartbeat in this period");
			return;
		}
		let storage_key = heartbeat_worker_key(&key);
		if let Err(skip) = Self::claim_period(&storage_key, now, period_index, period_start) {
			log::trace!(target: LOG_TARGET, "no heartbeat for {who:?} at {now:?}: {skip:?}");
			return;
		}

		let Ok(endpoint) = core::str::from_utf8(&provider.endpoint) else {
			log::warn!(target: LOG_TARGET, "provider {who:?}: endpoint is not UTF-8, no heartbeat");
			return;
		};
		let body = match probe_healthz(endpoint, T::HeartbeatProbeTimeoutMs::get()) {
			Ok(body) => body,
			Err(failure) => {
				log::warn!(
					target: LOG_TARGET,
					"provider {who:?} unhealthy ({failure:?} from {endpoint}/healthz): no heartbeat at {now:?}"
				);
				return;
			},
		};
		let capacity = Self::reported_capacity(&provider, &body);
		log::info!(target: LOG_TARGET, "provider {who:?} healthy, capacity {capacity:?}");

		let heartbeat = Heartbeat { key, capacity, at: now };
		let payload = heartbeat_crypto::signing_payload(&heartbeat);
		let Some(signature) = sp_io::crypto::sr25519_sign(KEY_TYPE, public, &payload) else {
			log::warn!(target: LOG_TARGET, "provider {who:?}: the keystore cannot sign with {public:?}");
			return;
		};
		let call = Call::<T>::worker_heartbeat { heartbeat, signature: signature.into() };
		let xt =
			<T as CreateAuthorizedTransaction<Call<T>>>::create_authorized_transaction(call.into());
		match SubmitTransaction::<T, Call<T>>::submit_transaction(xt) {
			Ok(()) => {
				Self::record_sent(&storage_key, now);
				log::info!(target: LOG_TARGET, "submitted heartbeat of provider {who:?} at {now:?}");
			},
			Err(()) => {
				log::warn!(target: LOG_TARGET, "failed to submit heartbeat of provider {who:?} at {now:?}");
			},
		}
	}

	/// Claims period `period_index` for the key whose record is under `storage_key`, if it is
	/// due: `now` is the period's first block, or the last submission is at least a period old
	/// (the run at the period's first block was missed). Compare-and-set: exactly one of
	/// several concurrent runs gets `Ok`.
	fn claim_period(
		storage_key: &[u8],
		now: BlockNumberFor<T>,
		period_index: BlockNumberFor<T>,
		period_start: BlockNumberFor<T>,
	) -> Result<(), Skip> {
		let period = T::HeartbeatPeriod::get();
		let result = StorageValueRef::persistent(storage_key).mutate::<HeartbeatWorkerRecord<
			BlockNumberFor<T>,
		>, Skip, _>(|stored| {
			// An undecodable record is replaced: better a heartbeat too many than none.
			let record = stored.ok().flatten().unwrap_or_default();
			if record.claimed_period == Some(period_index) {
				return Err(Skip::Claimed);
			}
			let missed = record.last_sent.is_some_and(|sent| now.saturating_sub(sent) >= period);
			if now != period_start && !missed {
				return Err(Skip::NotDue);
			}
			Ok(HeartbeatWorkerRecord { claimed_period: Some(period_index), ..record })
		});
		match result {
			Ok(_) => Ok(()),
			Err(MutateStorageError::ValueFunctionFailed(skip)) => Err(skip),
			// Another run changed the record in between: it claimed the period.
			Err(MutateStorageError::ConcurrentModification(_)) => Err(Skip::Claimed),
		}
	}

	/// Records that a heartbeat made at `now` went to the pool (best effort: losing a race
	/// only means a missed run is not made up for).
	fn record_sent(storage_key: &[u8], now: BlockNumberFor<T>) {
		let result = StorageValueRef::persistent(storage_key).mutate::<HeartbeatWorkerRecord<
			BlockNumberFor<T>,
		>, (), _>(|stored| {
			let record = stored.ok().flatten().unwrap_or_default();
			Ok(HeartbeatWorkerRecord { last_sent: Some(now), ..record })
		});
		if result.is_err() {
			log::debug!(target: LOG_TARGET, "could not record the heartbeat sent at {now:?}");
		}
	}

	/// The capacity to report: the entries of a JSON `/healthz` body for levels the provider
	/// offers (the first of repeated levels), else the capacity recorded on chain.
	fn reported_capacity(
		provider: &ProviderRecordOf<T>,
		body: &[u8],
	) -> BoundedVec<(LevelId, u32), T::MaxLevelsPerProvider> {
		let Some(entries) = parse_capacity(body) else { return provider.capacity.clone() };
		let mut capacity: Vec<(LevelId, u32)> = Vec::new();
		for (level, count) in entries {
			if provider.offers(level) && !capacity.iter().any(|(known, _)| *known == level) {
				capacity.push((level, count));
			} else {
				log::warn!(target: LOG_TARGET, "ignoring /healthz capacity entry [{level},{count}]: level not offered or repeated");
			}
		}
		// At most one entry per offered level, so nothing is cut off.
		BoundedVec::truncate_from(capacity)
	}
}
