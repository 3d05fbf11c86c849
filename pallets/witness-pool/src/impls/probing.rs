//! The worker's probes of a lease (docs/architecture.md §7.2): when, what, and the probe log.
//!
//! A committee member probes at `ProbesPerRound` blocks of `[join_end, period_end)`
//! (`period_end = commit_end − commit_window`, the end of the billing period), chosen by
//! `defaas_offchain_workers::schedule::probe_blocks(h, join_end, period_end, ProbesPerRound)`
//! with `h` the **VRF pre-output of the witness's `wtns` key over
//! `blake2_256(SCALE((b"defaas/wp/schedule", seed)))`** ([`Pallet::probe_schedule_seed`];
//! the `witness_vrf::pre_output` host function: no proof is made, none is needed).
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
	pallet::{Config, PackageChecks, Pallet},
	types::*,
	vrf::{self, VrfKey},
	LOG_TARGET,
};
use alloc::vec::Vec;
use codec::Encode;
use defaas_offchain_workers::{freivalds, probe, schedule, ProbeFailure};
use defaas_primitives::traits::ProviderDirectory;
use frame_support::traits::Get;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	offchain::storage::{MutateStorageError, StorageValueRef},
	SaturatedConversion,
};

use super::offchain::{LocalWitness, RunAt, RunWork};

/// How often a probe-log compare-and-set is retried after losing a race with another run.
const MAX_CAS_ATTEMPTS: u32 = 4;

/// A (round, local witness) that may probe at this block: `(order_id, round, index in local,
/// period_end, the round, the lease)` as the run read them.
pub(crate) type DueProbe<T> =
	(OrderId, u32, usize, BlockNumberFor<T>, RoundRecordOf<T>, MonitoredLeaseOf<T>);

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
		match vrf::witness_vrf::pre_output(key, Self::probe_schedule_seed(seed)) {
			Some(pre_output) => {
				schedule::probe_blocks(&pre_output, from, to, T::ProbesPerRound::get())
			},
			None => Vec::new(),
		}
	}

	/// Reporting, before the end of the billing period: the probes scheduled at this block and
	/// not made yet, of every (round, local witness) in `due` — `(order_id, round, index in
	/// local, period_end)` — all at once (`probe::probe_leases`), each claimed in its probe log
	/// first and its outcome recorded after.
	pub(crate) fn ocw_probe_block(
		at: RunAt<BlockNumberFor<T>>,
		due: &[DueProbe<T>],
		local: &[LocalWitness<T>],
		work: &mut RunWork,
	) {
		// (order, round, witness, first, endpoint, the level's memory if a challenge is due)
		let mut claimed = Vec::new();
		for (order_id, round, index, period_end, record, lease) in due.iter() {
			let (order_id, round, period_end) = (*order_id, *round, *period_end);
			let Some(witness) = local.get(*index) else { continue };
			if at.now < record.join_end {
				continue;
			}
			let from: u32 = record.join_end.saturated_into();
			let to: u32 = period_end.saturated_into();
			work.vrf_evaluations = work.vrf_evaluations.saturating_add(1);
			let blocks = Self::probe_schedule(&witness.key, &record.seed, from, to);
			if !blocks.contains(&at.block) {
				continue;
			}
			// A deployment dispute's round: the member checks the published package once, at
			// its first scheduled block.
			let package = PackageChecks::<T>::get(order_id);
			if package.is_some() && !Self::probe_log(order_id, round, &witness.who).is_empty() {
				continue;
			}
			let Some(first) = Self::claim_probe(order_id, round, &witness.who, at.block) else {
				continue;
			};
			work.probes = work.probes.saturating_add(1);
			if let Some(check) = package {
				let outcome = Self::check_package(order_id, &check);
				Self::record_probe(order_id, round, &witness.who, at.block, outcome);
				Self::log_probe(order_id, round, at.block, first, outcome);
				continue;
			}
			match Self::probe_target(order_id, lease, first) {
				Ok((endpoint, memory_mb)) => {
					claimed.push((order_id, round, witness, first, endpoint, memory_mb))
				},
				Err(outcome) => {
					Self::record_probe(order_id, round, &witness.who, at.block, outcome);
					Self::log_probe(order_id, round, at.block, first, outcome);
				},
			}
		}
		if claimed.is_empty() {
			return;
		}
		let probes: Vec<probe::LeaseProbe<'_>> = claimed
			.iter()
			.map(|(order_id, _, _, _, endpoint, memory_mb)| probe::LeaseProbe {
				endpoint: endpoint.as_str(),
				order_id: *order_id,
				challenge: memory_mb.map(|memory_mb| probe::Challenge {
					seed: sp_io::offchain::random_seed(),
					n: freivalds::matrix_size(memory_mb),
					k: T::FreivaldsRounds::get(),
				}),
			})
			.collect();
		let outcomes =
			probe::probe_leases(&probes, T::ProbeTimeoutMs::get(), T::ChallengeTimeoutMs::get());
		for ((order_id, round, witness, first, ..), outcome) in claimed.iter().zip(outcomes) {
			Self::record_probe(*order_id, *round, &witness.who, at.block, outcome);
			Self::log_probe(*order_id, *round, at.block, *first, outcome);
		}
	}

	/// Where to probe the lease: the provider's endpoint and, for the member's first probe of
	/// the round (`challenge`), the memory of the lease's level (the challenge's size). A
	/// missing or non-UTF-8 endpoint, or a challenge for an unknown level, fails the probe
	/// (with a warning).
	fn probe_target(
		order_id: OrderId,
		lease: &MonitoredLeaseOf<T>,
		challenge: bool,
	) -> Result<(alloc::string::String, Option<u32>), ProbeOutcome> {
		let unreachable = ProbeOutcome::Failed(ProbeFailure::Unreachable);
		let Some(endpoint) = T::Directory::endpoint(&lease.provider) else {
			log::warn!(
				target: LOG_TARGET,
				"order {}: provider {:?} has no endpoint; the probe fails",
				order_id,
				lease.provider
			);
			return Err(unreachable);
		};
		let Ok(endpoint) = alloc::string::String::from_utf8(endpoint) else {
			log::warn!(
				target: LOG_TARGET,
				"order {}: the endpoint of provider {:?} is not UTF-8; the probe fails",
				order_id,
				lease.provider
			);
			return Err(unreachable);
		};
		if !challenge {
			return Ok((endpoint, None));
		}
		let Some(memory_mb) = T::Directory::level_memory_mb(lease.level) else {
			log::warn!(
				target: LOG_TARGET,
				"order {}: level {} is unknown; the capacity challenge fails",
				order_id,
				lease.level
			);
			return Err(unreachable);
		};
		Ok((endpoint, Some(memory_mb)))
	}

	/// The package check of a deployment dispute (`probe::check_package`); a URL that is not
	/// UTF-8 (the market refuses those) fails as unreachable.
	fn check_package(order_id: OrderId, check: &PackageCheck) -> ProbeOutcome {
		let Ok(url) = core::str::from_utf8(&check.url) else {
			log::warn!(target: LOG_TARGET, "order {}: the package URL is not UTF-8", order_id);
			return ProbeOutcome::Failed(ProbeFailure::Unreachable);
		};
		probe::check_package(
			url,
			&check.package_hash,
			check.max_bytes,
			T::PackageCheckTimeoutMs::get(),
		)
	}

	/// Logs a probe's outcome.
	fn log_probe(order_id: OrderId, round: u32, block: u32, first: bool, outcome: ProbeOutcome) {
		let kind = if first { "health + challenge" } else { "health" };
		match outcome {
			ProbeOutcome::Passed => log::info!(
				target: LOG_TARGET,
				"order {} round {}: probe ({}) at #{} passed",
				order_id,
				round,
				kind,
				block
			),
			ProbeOutcome::Failed(reason) => log::info!(
				target: LOG_TARGET,
				"order {} round {}: probe ({}) at #{} failed ({:?})",
				order_id,
				round,
				kind,
				block,
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
}
