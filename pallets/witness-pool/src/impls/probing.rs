//! The worker's probes of a lease (docs/architecture.md §7.2): when, what, and the probe log.
//!
//! A committee member probes at `ProbesPerRound` blocks of `[join_end, period_end)`
//! (`period_end = commit_end − commit_window`, the end of the billing period), chosen by
//! `defaas_offchain_workers::schedule::probe_blocks(h, join_end, period_end, ProbesPerRound)`
//! with `h` the **VRF pre-output of the witness's `wtns` key over
//! `blake2_256(SCALE((b"defaas/wp/schedule", seed)))`** ([`Pallet::probe_schedule_seed`]).
//! Only the key holder can compute `h` and it is never published, so nobody — the provider
//! included — can predict the probe blocks; the alternatives (`blake2_256(SCALE((seed,
//! witness)))`, or a joined member's VRF output) are public once the committee is known.
//!
//! At a scheduled block the worker claims the block in the round's probe log (persistent
//! off-chain storage under [`PROBE_LOG_PREFIX`], compare-and-set, so concurrent runs probe
//! once), probes, and records the outcome. A probe passes iff the liveness probe passes and —
//! for the member's first probe of the round only — the capacity challenge (a fresh seed from
//! `sp_io::offchain::random_seed()`, `freivalds::matrix_size` of the level's memory,
//! `FreivaldsRounds` Freivalds rounds) passes too. Scheduled blocks the worker did not run at
//! (node down) are simply not counted; no probes at all make a clean report.

use crate::{
	pallet::{Config, Pallet},
	types::*,
	vrf::{self, VrfKey},
	LOG_TARGET,
};
use alloc::vec::Vec;
use codec::Encode;
use defaas_offchain_workers::{freivalds, probe, schedule};
use defaas_primitives::traits::ProviderDirectory;
use frame_support::traits::Get;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	offchain::storage::{MutateStorageError, StorageValueRef},
	SaturatedConversion,
};

use super::offchain::{LocalWitness, RunAt};

/// How often a probe-log compare-and-set is retried after losing a race with another run.
const MAX_CAS_ATTEMPTS: u32 = 4;

impl<T: Config> Pallet<T> {
	/// The persistent off-chain storage key of `witness`'s probe log of a round.
	pub fn probe_log_key(order_id: OrderId, round: u32, witness: &T::AccountId) -> Vec<u8> {
		let mut key = PROBE_LOG_PREFIX.to_vec();
		(order_id, round, witness).encode_to(&mut key);
		key
	}

	/// `witness`'s probe log of a round (empty if none or undecodable).
	pub fn probe_log(order_id: OrderId, round: u32, witness: &T::AccountId) -> ProbeLog {
		StorageValueRef::persistent(&Self::probe_log_key(order_id, round, witness))
			.get::<ProbeLog>()
			.ok()
			.flatten()
			.unwrap_or_default()
	}

	/// The outcomes of `witness`'s completed probes of a round.
	pub(crate) fn probe_outcomes(
		order_id: OrderId,
		round: u32,
		witness: &T::AccountId,
	) -> Vec<ProbeOutcome> {
		Self::probe_log(order_id, round, witness)
			.into_iter()
			.filter_map(|(_, outcome)| outcome)
			.collect()
	}

	/// What a witness signs with its VRF to schedule its probes of the round with `seed`:
	/// `blake2_256(SCALE((b"defaas/wp/schedule", seed)))` (the 18 ASCII bytes, then the seed).
	pub fn probe_schedule_seed(seed: &[u8; 32]) -> [u8; 32] {
		sp_io::hashing::blake2_256(&(b"defaas/wp/schedule", seed).encode())
	}

	/// The blocks of `[from, to)` at which the node's `wtns` key `key` probes the round with
	/// `seed` (`ProbesPerRound` of them; empty if the keystore cannot sign with `key`).
	pub fn probe_schedule(key: &VrfKey, seed: &[u8; 32], from: u32, to: u32) -> Vec<u32> {
		match vrf::witness_vrf::sign(key, Self::probe_schedule_seed(seed)) {
			Some(signature) => {
				schedule::probe_blocks(&signature.pre_output, from, to, T::ProbesPerRound::get())
			},
			None => Vec::new(),
		}
	}

	/// Reporting, before the end of the billing period: probe if this is a scheduled block not
	/// probed yet.
	pub(crate) fn ocw_probe(
		at: RunAt<BlockNumberFor<T>>,
		order_id: OrderId,
		round: u32,
		record: &RoundRecordOf<T>,
		lease: &MonitoredLeaseOf<T>,
		period_end: BlockNumberFor<T>,
		local: &LocalWitness<T>,
	) {
		if at.now < record.join_end {
			return;
		}
		let from: u32 = record.join_end.saturated_into();
		let to: u32 = period_end.saturated_into();
		let blocks = Self::probe_schedule(&local.key, &record.seed, from, to);
		if !blocks.contains(&at.block) {
			return;
		}
		let Some(first) = Self::claim_probe(order_id, round, &local.who, at.block) else {
			return;
		};
		let outcome = Self::probe_provider(order_id, lease, first);
		Self::record_probe(order_id, round, &local.who, at.block, outcome);
		let kind = if first { "health + challenge" } else { "health" };
		match outcome {
			ProbeOutcome::Passed => log::info!(
				target: LOG_TARGET,
				"order {} round {}: probe ({}) at #{} passed",
				order_id,
				round,
				kind,
				at.block
			),
			ProbeOutcome::Failed(reason) => log::info!(
				target: LOG_TARGET,
				"order {} round {}: probe ({}) at #{} failed ({:?})",
				order_id,
				round,
				kind,
				at.block,
				reason
			),
		}
	}

	/// Claim `block` in the probe log: `Some(first)` if this run probes it (`first`: no probe
	/// of the round was claimed before), `None` if it is claimed already.
	fn claim_probe(order_id: OrderId, round: u32, who: &T::AccountId, block: u32) -> Option<bool> {
		let storage_key = Self::probe_log_key(order_id, round, who);
		let value = StorageValueRef::persistent(&storage_key);
		for _ in 0..MAX_CAS_ATTEMPTS {
			let mut first = false;
			let result = value.mutate::<ProbeLog, (), _>(|stored| {
				// An undecodable log is replaced.
				let mut log = stored.ok().flatten().unwrap_or_default();
				if log.iter().any(|(claimed, _)| *claimed == block) {
					return Err(());
				}
				first = log.is_empty();
				log.push((block, None));
				Ok(log)
			});
			match result {
				Ok(_) => return Some(first),
				Err(MutateStorageError::ValueFunctionFailed(())) => return None,
				Err(MutateStorageError::ConcurrentModification(_)) => continue,
			}
		}
		None
	}

	/// Record the outcome of the probe claimed at `block`.
	fn record_probe(
		order_id: OrderId,
		round: u32,
		who: &T::AccountId,
		block: u32,
		outcome: ProbeOutcome,
	) {
		let storage_key = Self::probe_log_key(order_id, round, who);
		let value = StorageValueRef::persistent(&storage_key);
		for _ in 0..MAX_CAS_ATTEMPTS {
			let result = value.mutate::<ProbeLog, (), _>(|stored| {
				let mut log = stored.ok().flatten().unwrap_or_default();
				match log.iter_mut().find(|(claimed, _)| *claimed == block) {
					Some(entry) => entry.1 = Some(outcome),
					None => log.push((block, Some(outcome))),
				}
				Ok(log)
			});
			match result {
				Ok(_) => return,
				Err(MutateStorageError::ValueFunctionFailed(())) => break,
				Err(MutateStorageError::ConcurrentModification(_)) => continue,
			}
		}
		log::warn!(
			target: LOG_TARGET,
			"order {} round {}: the outcome of the probe at #{} could not be recorded",
			order_id,
			round,
			block
		);
	}

	/// One probe of the lease's provider: the liveness probe and, if `challenge`, the capacity
	/// challenge. A missing endpoint or level fails the probe (with a warning).
	fn probe_provider(
		order_id: OrderId,
		lease: &MonitoredLeaseOf<T>,
		challenge: bool,
	) -> ProbeOutcome {
		let unreachable = ProbeOutcome::Failed(ProbeFailure::Unreachable);
		let Some(endpoint) = T::Directory::endpoint(&lease.provider) else {
			log::warn!(
				target: LOG_TARGET,
				"order {}: provider {:?} has no endpoint; the probe fails",
				order_id,
				lease.provider
			);
			return unreachable;
		};
		let Ok(endpoint) = core::str::from_utf8(&endpoint) else {
			log::warn!(
				target: LOG_TARGET,
				"order {}: the endpoint of provider {:?} is not UTF-8; the probe fails",
				order_id,
				lease.provider
			);
			return unreachable;
		};
		let health = probe::probe_health(endpoint, order_id, T::ProbeTimeoutMs::get());
		if health.is_failed() || !challenge {
			return health;
		}
		let Some(memory_mb) = T::Directory::level_memory_mb(lease.level) else {
			log::warn!(
				target: LOG_TARGET,
				"order {}: level {} is unknown; the capacity challenge fails",
				order_id,
				lease.level
			);
			return unreachable;
		};
		let seed = sp_io::offchain::random_seed();
		probe::probe_challenge(
			endpoint,
			order_id,
			&seed,
			freivalds::matrix_size(memory_mb),
			T::FreivaldsRounds::get(),
			T::ChallengeTimeoutMs::get(),
		)
	}
}
