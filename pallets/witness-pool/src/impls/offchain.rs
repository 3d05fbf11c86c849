//! The off-chain worker (docs/architecture.md §7.2): a witness's node joins, probes, commits and reveals by
//! itself.
//!
//! Every run (one per imported block `n`) looks at all rounds in `Rounds` — fine here, the
//! worker runs off-chain — and at every `wtns` key of the node's keystore that belongs to a
//! registered witness:
//!
//! - **Joining** (`n < join_end`), the witness eligible and not a member: sign the round seed
//!   with the `witness_vrf` host function; if the output is below the threshold keep the
//!   signature in the persistent off-chain storage under
//!   `JOIN_SIGNATURE_PREFIX ++ SCALE((order_id, round, witness))` and, if the join would be
//!   accepted, put the join in the witness's batch once (claim `PHASE_JOIN`). A witness the VRF passes over
//!   goes into the round's join memo (`JOIN_MEMO_PREFIX ++ SCALE((order_id, round))`) and is
//!   not signed for again in that round: one VRF signature per key and round, not one per
//!   key, round and block of the join window.
//! - **Reporting**, a member: probe at its scheduled blocks before the end of the billing
//!   period (see `probing`); from the end of the period, if it has not committed on chain,
//!   store the report with a fresh salt (store-once) and *then* put the commit in the batch
//!   (claim `PHASE_COMMIT`); from `commit_end`, if it committed and has not revealed, put the
//!   reveal with the stored salt in the batch (claim `PHASE_REVEAL`). Once its reveal is on chain
//!   the worker forgets the round.
//!   Once the round reports, the memo and the signatures of drawn witnesses without a seat
//!   are removed.
//! - **Settled / Abandoned**: forget the round (report, claims, probe log, join signature)
//!   for the local witnesses that sat in the committee.
//!
//! At the end of the run each local witness's items go to the pool as one `worker_batch`
//! (several if it holds more than `MAX_WORKER_ITEMS` of a kind), signed with the witness's
//! `wtns` key: one transaction per witness instead of one per item. The worker sends them once
//! an item's window ends within `SUBMIT_MARGIN` blocks (or a kind is full) and waits before,
//! so that a batch collects as many items as the windows allow.
//!
//! Each run adds its duration, the rounds it looked at and the VRF signatures it made to
//! `WorkerStats` under `WORKER_STATS_KEY` (persistent off-chain storage; the load generator
//! reads it over RPC for the worker's time per block).
//!
//! Windows are judged for the block a transaction can enter first, `n + 1` (the pool validates
//! against that block). Claims (`defaas_offchain_workers::salts::try_claim`) make concurrent
//! runs submit each item once and hand an item out again after `CLAIM_RETRY_BLOCKS` in case
//! the transaction got lost.

use crate::{
	pallet::{Call, Config, Leases, Pallet, Rounds, VrfKeys, Witnesses},
	types::*,
	vrf::{self, VrfKey, VrfSignature},
	LOG_TARGET,
};
use alloc::vec::Vec;
use codec::{Decode, Encode};
use defaas_offchain_workers::{
	probe,
	salts::{self, PendingReport, ReportKey, PHASE_COMMIT, PHASE_JOIN, PHASE_REVEAL},
};
use defaas_primitives::worker_stats::{RunRecord, WorkerStats, WORKER_STATS_KEY};
use frame_support::BoundedVec;
use frame_system::{
	offchain::{CreateAuthorizedTransaction, SubmitTransaction},
	pallet_prelude::BlockNumberFor,
};
use sp_core::offchain::{Duration, StorageKind};
use sp_runtime::{
	offchain::storage::{MutateStorageError, StorageValueRef},
	traits::{Get, One, Saturating},
	SaturatedConversion,
};

/// A `wtns` key of the node's keystore that belongs to a registered witness.
pub(crate) struct LocalWitness<T: Config> {
	/// The key (registered as the witness's VRF key).
	pub key: VrfKey,
	/// The witness.
	pub who: T::AccountId,
	/// Its record when the run started.
	pub record: WitnessRecordOf<T>,
}

/// The items due for a local witness in one run, each with the end of its window and its
/// report's key (claimed when submitted), commits and reveals with their report (for the log).
pub(crate) struct PendingBatch<BlockNumber> {
	/// Joins.
	pub joins: Vec<(JoinItem, ReportKey, BlockNumber)>,
	/// Commits (marked committed once submitted).
	pub commits: Vec<(CommitItem, ReportKey, BlockNumber, bool)>,
	/// Reveals (marked revealed once submitted).
	pub reveals: Vec<(RevealItem, ReportKey, BlockNumber, bool)>,
}

impl<BlockNumber> Default for PendingBatch<BlockNumber> {
	fn default() -> Self {
		Self { joins: Vec::new(), commits: Vec::new(), reveals: Vec::new() }
	}
}

/// The work of one run, for [`WorkerStats`].
#[derive(Default)]
pub(crate) struct RunWork {
	/// Rounds looked at.
	pub rounds: u64,
	/// VRF evaluations with `wtns` keys (outputs, pre-outputs, signatures).
	pub vrf_evaluations: u64,
	/// Probes made.
	pub probes: u64,
	/// Probes and round joins left over when the run's time budget ran out.
	pub deferred: u64,
}

impl From<RunWork> for RunRecord {
	fn from(work: RunWork) -> Self {
		RunRecord {
			rounds: work.rounds,
			vrf_evaluations: work.vrf_evaluations,
			probes: work.probes,
			deferred: work.deferred,
		}
	}
}

/// What a node's worker remembers of a round's join window, in the persistent off-chain
/// storage under `JOIN_MEMO_PREFIX ++ SCALE((order_id, round))`: the local witnesses the VRF
/// passed over (never signed for again in the round) and those it drew (whose signatures are
/// stored). Removed with the signatures of the drawn who got no seat once the join window is
/// over.
#[derive(Encode, Decode)]
pub(crate) struct JoinMemo<AccountId> {
	/// Not drawn.
	pub passed: Vec<AccountId>,
	/// Drawn.
	pub drawn: Vec<AccountId>,
}

impl<AccountId: Encode + Decode> JoinMemo<AccountId> {
	fn key(order_id: OrderId, round: u32) -> Vec<u8> {
		let mut key = JOIN_MEMO_PREFIX.to_vec();
		(order_id, round).encode_to(&mut key);
		key
	}

	/// The memo of the round (empty if none).
	pub fn load(order_id: OrderId, round: u32) -> Self {
		let key = Self::key(order_id, round);
		StorageValueRef::persistent(&key)
			.get::<Self>()
			.ok()
			.flatten()
			.unwrap_or(Self { passed: Vec::new(), drawn: Vec::new() })
	}

	/// Removes the round's memo and returns it (empty if none).
	pub fn take(order_id: OrderId, round: u32) -> Self {
		let memo = Self::load(order_id, round);
		let key = Self::key(order_id, round);
		if !memo.passed.is_empty() || !memo.drawn.is_empty() {
			sp_io::offchain::local_storage_clear(StorageKind::PERSISTENT, &key);
		}
		memo
	}

	/// Stores the memo (a concurrent run's write may be lost: its witnesses are then
	/// evaluated again, which is harmless).
	pub fn store(&self, order_id: OrderId, round: u32) {
		let key = Self::key(order_id, round);
		StorageValueRef::persistent(&key).set(self);
	}

	/// Witnesses noted.
	pub fn len(&self) -> usize {
		self.passed.len().saturating_add(self.drawn.len())
	}
}

/// The block a run is for: `now`, and `next = now + 1`, the first block its transactions can
/// enter.
#[derive(Clone, Copy)]
pub(crate) struct RunAt<BlockNumber> {
	/// The imported block the worker runs for.
	pub now: BlockNumber,
	/// `now + 1`.
	pub next: BlockNumber,
	/// `now` as the `u32` the off-chain storage records use.
	pub block: u32,
}

impl<T: Config> Pallet<T> {
	/// The persistent off-chain storage key of `witness`'s VRF signature for a round.
	pub fn join_signature_key(order_id: OrderId, round: u32, witness: &T::AccountId) -> Vec<u8> {
		let mut key = JOIN_SIGNATURE_PREFIX.to_vec();
		(order_id, round, witness).encode_to(&mut key);
		key
	}

	/// `offchain_worker`: join, probe, commit, reveal and forget for every unsettled round
	/// and every local witness key; records the run's duration and work in
	/// [`WorkerStats`] (persistent off-chain storage, [`WORKER_STATS_KEY`]).
	pub(crate) fn run_offchain_worker(now: BlockNumberFor<T>) {
		let local = Self::local_witnesses();
		if local.is_empty() {
			return;
		}
		let started = sp_io::offchain::timestamp();
		let deadline = started.add(Duration::from_millis(T::WorkerBudgetMs::get()));
		let at = RunAt { now, next: now.saturating_add(One::one()), block: now.saturated_into() };
		let mut work = RunWork::default();
		let mut batches: Vec<PendingBatch<BlockNumberFor<T>>> =
			local.iter().map(|_| PendingBatch::default()).collect();
		// First what cannot wait and costs little: commits, reveals, forgetting. Probes and
		// joins are noted for later.
		let mut probes = Vec::new();
		let mut joins = Vec::new();
		for (order_id, round, record) in Rounds::<T>::iter() {
			work.rounds = work.rounds.saturating_add(1);
			match record.phase {
				RoundPhase::Joining if now < record.join_end => {
					joins.push((order_id, round, record))
				},
				RoundPhase::Reporting => {
					Self::ocw_end_join(order_id, round, &record);
					let Some(lease) = Leases::<T>::get(order_id) else { continue };
					let period_end = record.commit_end.saturating_sub(lease.timings.commit_window);
					for (index, (witness, batch)) in
						local.iter().zip(batches.iter_mut()).enumerate()
					{
						if Self::ocw_report(at, order_id, round, &record, &lease, witness, batch) {
							probes.push((
								order_id,
								round,
								index,
								period_end,
								record.clone(),
								lease.clone(),
							));
						}
					}
				},
				RoundPhase::Settled | RoundPhase::Abandoned | RoundPhase::Lapsed => {
					Self::ocw_forget_round(order_id, round, &record, &local);
				},
				_ => {},
			}
		}
		for (witness, batch) in local.iter().zip(batches.iter_mut()) {
			Self::submit_batches(at, witness, core::mem::take(batch));
		}
		// Then, while the run's time budget lasts, this block's probes and the joins (the
		// windows ending first first); what is left waits for the next run, so that runs do
		// not queue up behind each other.
		let in_time = || sp_io::offchain::timestamp() < deadline;
		if in_time() {
			Self::ocw_probe_block(at, &probes, &local, &mut work);
		} else {
			let count = u64::try_from(probes.len()).unwrap_or(u64::MAX);
			work.deferred = work.deferred.saturating_add(count);
		}
		let mut joining = joins;
		joining.sort_by_key(|(_, _, record)| record.join_end);
		for (order_id, round, record) in joining {
			if !in_time() {
				work.deferred = work.deferred.saturating_add(1);
				continue;
			}
			let Some(lease) = Leases::<T>::get(order_id) else { continue };
			let mut memo = JoinMemo::<T::AccountId>::load(order_id, round);
			let before = memo.len();
			for (witness, batch) in local.iter().zip(batches.iter_mut()) {
				Self::ocw_join(
					at, order_id, round, &record, &lease, witness, &mut memo, &mut work, batch,
				);
			}
			if memo.len() != before {
				memo.store(order_id, round);
			}
		}
		for (witness, batch) in local.iter().zip(batches) {
			Self::submit_batches(at, witness, batch);
		}
		let ms = sp_io::offchain::timestamp().diff(&started).millis();
		let stats = StorageValueRef::persistent(WORKER_STATS_KEY);
		// A concurrent run updating the record at the same time: this run is not counted.
		let _ = stats.mutate::<WorkerStats, (), _>(|stored| {
			let mut stats = stored.ok().flatten().unwrap_or_default();
			stats.record(at.block, ms, &work.into());
			Ok(stats)
		});
	}

	/// After the join window: drop the round's join memo and the join signatures of local
	/// witnesses that were drawn but did not get a seat (one read per round once done).
	pub(crate) fn ocw_end_join(order_id: OrderId, round: u32, record: &RoundRecordOf<T>) {
		let memo = JoinMemo::<T::AccountId>::take(order_id, round);
		for who in memo.drawn.iter() {
			if !record.members.iter().any(|m| &m.witness == who) {
				let key = Self::join_signature_key(order_id, round, who);
				sp_io::offchain::local_storage_clear(StorageKind::PERSISTENT, &key);
			}
		}
	}

	/// Forget a settled or abandoned round: the records of the local witnesses that sat in
	/// its committee, the join memo and signatures (no per-key reads for the witnesses the
	/// VRF passed over).
	fn ocw_forget_round(
		order_id: OrderId,
		round: u32,
		record: &RoundRecordOf<T>,
		local: &[LocalWitness<T>],
	) {
		Self::ocw_end_join(order_id, round, record);
		for witness in local.iter() {
			if record.members.iter().any(|m| m.witness == witness.who) {
				Self::ocw_forget(order_id, round, &witness.who, "settled");
			}
		}
	}

	/// The node's `wtns` keys that belong to registered witnesses.
	fn local_witnesses() -> Vec<LocalWitness<T>> {
		vrf::witness_vrf::keys()
			.into_iter()
			.filter_map(|key| {
				let who = VrfKeys::<T>::get(key)?;
				let record = Witnesses::<T>::get(&who)?;
				Some(LocalWitness { key, who, record })
			})
			.collect()
	}

	/// Joining: keep the signature if drawn and put the join in the witness's batch once per
	/// claim. A witness the VRF passed over is noted in the round's join memo and not signed
	/// for again.
	#[allow(clippy::too_many_arguments)]
	fn ocw_join(
		at: RunAt<BlockNumberFor<T>>,
		order_id: OrderId,
		round: u32,
		record: &RoundRecordOf<T>,
		lease: &MonitoredLeaseOf<T>,
		local: &LocalWitness<T>,
		memo: &mut JoinMemo<T::AccountId>,
		work: &mut RunWork,
		batch: &mut PendingBatch<BlockNumberFor<T>>,
	) {
		if memo.passed.contains(&local.who) {
			return;
		}
		if Self::check_eligible(&local.who, &local.record, lease, record).is_err() {
			return;
		}
		let Some(signature) = Self::join_signature(order_id, round, record, local, memo, work)
		else {
			return;
		};
		if at.next >= record.join_end {
			return;
		}
		// The check verifies the signature and gives its output: one verification per run.
		let output =
			match Self::check_join(&local.who, order_id, round, &signature, JoinProof::Verify) {
				Ok(valid) => valid.output,
				Err(error) => {
					log::info!(
						target: LOG_TARGET,
						"order {} round {}: witness {:?} does not join ({:?})",
						order_id,
						round,
						local.who,
						error
					);
					return;
				},
			};
		let item = JoinItem { order_id, round, vrf_signature: signature, output };
		batch.joins.push((item, ReportKey::new(order_id, round, &local.who), record.join_end));
	}

	/// The stored VRF signature of the witness for the round, or a new one if it draws the
	/// witness (stored with compare-and-set, so parallel runs keep one; noted in `memo` as
	/// drawn); `None` if not drawn (noted in `memo` as passed over) or the keystore cannot
	/// sign.
	fn join_signature(
		order_id: OrderId,
		round: u32,
		record: &RoundRecordOf<T>,
		local: &LocalWitness<T>,
		memo: &mut JoinMemo<T::AccountId>,
		work: &mut RunWork,
	) -> Option<VrfSignature> {
		let (key, who) = (&local.key, &local.who);
		let storage_key = Self::join_signature_key(order_id, round, who);
		let value = StorageValueRef::persistent(&storage_key);
		if let Ok(Some(signature)) = value.get::<VrfSignature>() {
			return Some(signature);
		}
		// The output alone (no proof) says whether the round draws the witness; only then
		// is the VRF signed.
		work.vrf_evaluations = work.vrf_evaluations.saturating_add(1);
		let Some(output) = vrf::witness_vrf::output(key, record.seed) else {
			log::warn!(
				target: LOG_TARGET,
				"witness {:?}: the keystore cannot evaluate the VRF of order {} round {}",
				who,
				order_id,
				round
			);
			return None;
		};
		if output >= record.threshold {
			log::debug!(
				target: LOG_TARGET,
				"order {} round {}: witness {:?} not drawn (VRF output {})",
				order_id,
				round,
				who,
				output
			);
			memo.passed.push(who.clone());
			return None;
		}
		work.vrf_evaluations = work.vrf_evaluations.saturating_add(1);
		let Some(signature) = vrf::witness_vrf::sign(key, record.seed) else {
			log::warn!(
				target: LOG_TARGET,
				"witness {:?}: the keystore cannot sign the VRF of order {} round {}",
				who,
				order_id,
				round
			);
			return None;
		};
		if !memo.drawn.contains(who) {
			memo.drawn.push(who.clone());
		}
		let result = value.mutate::<VrfSignature, (), _>(|stored| match stored {
			Ok(Some(_)) => Err(()),
			Ok(None) | Err(_) => Ok(signature.clone()),
		});
		match result {
			Ok(_) => {
				log::info!(
					target: LOG_TARGET,
					"witness {:?} drawn for order {} round {} (VRF output {}): signature stored \
					 for join_committee",
					who,
					order_id,
					round,
					output
				);
				Some(signature)
			},
			// A parallel run stored its own (equally valid) signature first.
			Err(MutateStorageError::ValueFunctionFailed(()))
			| Err(MutateStorageError::ConcurrentModification(_)) => value.get().ok().flatten(),
		}
	}

	/// Reporting: commit or reveal, depending on where the round and the member stand; `true`
	/// if instead the member may have a probe to make (before the end of the billing period).
	fn ocw_report(
		at: RunAt<BlockNumberFor<T>>,
		order_id: OrderId,
		round: u32,
		record: &RoundRecordOf<T>,
		lease: &MonitoredLeaseOf<T>,
		local: &LocalWitness<T>,
		batch: &mut PendingBatch<BlockNumberFor<T>>,
	) -> bool {
		let Some(member) = record.members.iter().find(|m| m.witness == local.who) else {
			return false;
		};
		if member.revealed.is_some() {
			Self::ocw_forget(order_id, round, &local.who, "revealed");
			return false;
		}
		let period_end = record.commit_end.saturating_sub(lease.timings.commit_window);
		if at.now < period_end {
			return true;
		} else if member.commitment.is_none() {
			if at.next < record.commit_end {
				Self::ocw_commit(record.commit_end, order_id, round, local, batch);
			}
		} else if record.commit_end <= at.next && at.next < record.reveal_end {
			Self::ocw_reveal(record.reveal_end, order_id, round, member.commitment, local, batch);
		}
		false
	}

	/// Commit: store the report with a fresh salt (once), then put the commit, due by
	/// `commit_end`, in the witness's batch.
	fn ocw_commit(
		commit_end: BlockNumberFor<T>,
		order_id: OrderId,
		round: u32,
		local: &LocalWitness<T>,
		batch: &mut PendingBatch<BlockNumberFor<T>>,
	) {
		let report_key = ReportKey::new(order_id, round, &local.who);
		let outcomes = Self::probe_outcomes(order_id, round, &local.who);
		let violated = probe::report_violated(&outcomes);
		if salts::store_pending_report(&report_key, &PendingReport::new(&report_key, violated)) {
			let failed = outcomes.iter().filter(|outcome| outcome.is_failed()).count();
			log::info!(
				target: LOG_TARGET,
				"order {} round {}: report violated={} ({} of {} probes failed) stored with a \
				 fresh salt",
				order_id,
				round,
				violated,
				failed,
				outcomes.len()
			);
		}
		// The stored report wins: a re-run (or a parallel one) commits the same salt.
		let Some(report) = salts::load(&report_key) else {
			log::warn!(
				target: LOG_TARGET,
				"order {} round {}: the report of {:?} could not be stored; not committing",
				order_id,
				round,
				local.who
			);
			return;
		};
		let commitment =
			Self::report_commitment(order_id, round, report.violated, report.salt, &local.who);
		let item = CommitItem { order_id, round, commitment };
		batch.commits.push((item, report_key, commit_end, report.violated));
	}

	/// Reveal: put the stored report, due by `reveal_end`, in the witness's batch if it opens
	/// the commitment on chain.
	fn ocw_reveal(
		reveal_end: BlockNumberFor<T>,
		order_id: OrderId,
		round: u32,
		on_chain: Option<[u8; 32]>,
		local: &LocalWitness<T>,
		batch: &mut PendingBatch<BlockNumberFor<T>>,
	) {
		let report_key = ReportKey::new(order_id, round, &local.who);
		let Some(report) = salts::load(&report_key) else {
			log::warn!(
				target: LOG_TARGET,
				"order {} round {}: no stored report of {:?}: cannot reveal",
				order_id,
				round,
				local.who
			);
			return;
		};
		let commitment =
			Self::report_commitment(order_id, round, report.violated, report.salt, &local.who);
		if on_chain != Some(commitment) {
			log::warn!(
				target: LOG_TARGET,
				"order {} round {}: the stored report of {:?} does not open its commitment on \
				 chain; not revealing",
				order_id,
				round,
				local.who
			);
			return;
		}
		let item = RevealItem { order_id, round, violated: report.violated, salt: report.salt };
		batch.reveals.push((item, report_key, reveal_end, report.violated));
	}

	/// Remove everything the worker keeps for `who`'s part in the round (report and salt,
	/// claims, probe log, join signature), if anything is left.
	fn ocw_forget(order_id: OrderId, round: u32, who: &T::AccountId, why: &str) {
		let report_key = ReportKey::new(order_id, round, who);
		let keys = [
			report_key.storage_key(),
			report_key.claim_key(),
			Self::probe_log_key(order_id, round, who),
			Self::join_signature_key(order_id, round, who),
		];
		let mut removed = false;
		for key in keys.iter() {
			if sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, key).is_some() {
				sp_io::offchain::local_storage_clear(StorageKind::PERSISTENT, key);
				removed = true;
			}
		}
		if removed {
			log::info!(
				target: LOG_TARGET,
				"order {} round {}: {}; the worker's records of {:?} for the round removed",
				order_id,
				round,
				why,
				who
			);
		}
	}

	/// Submit `batch`'s items as `worker_batch`es of `local` (at most `MAX_WORKER_ITEMS` of a
	/// kind each), signed with its `wtns` key — once an item's window ends within
	/// [`SUBMIT_MARGIN`] blocks or a kind is full, all of them, else none yet. Each item is
	/// claimed first (one submission per claim, see `salts::try_claim`); marks the commits and
	/// reveals the pool took.
	fn submit_batches(
		at: RunAt<BlockNumberFor<T>>,
		local: &LocalWitness<T>,
		batch: PendingBatch<BlockNumberFor<T>>,
	) {
		let PendingBatch { mut joins, mut commits, mut reveals } = batch;
		let max = MAX_WORKER_ITEMS as usize;
		let urgent = |until: &BlockNumberFor<T>| {
			until.saturating_sub(at.next) <= BlockNumberFor::<T>::from(SUBMIT_MARGIN)
		};
		let due = joins.iter().any(|(_, _, until)| urgent(until))
			|| commits.iter().any(|(_, _, until, _)| urgent(until))
			|| reveals.iter().any(|(_, _, until, _)| urgent(until))
			|| joins.len() >= max
			|| commits.len() >= max
			|| reveals.len() >= max;
		if !due {
			return;
		}
		joins.retain(|(_, key, _)| salts::try_claim(key, PHASE_JOIN, at.block));
		commits.retain(|(_, key, ..)| salts::try_claim(key, PHASE_COMMIT, at.block));
		reveals.retain(|(_, key, ..)| salts::try_claim(key, PHASE_REVEAL, at.block));
		while !(joins.is_empty() && commits.is_empty() && reveals.is_empty()) {
			let take = |n: usize| n.min(max);
			let chunk_joins: Vec<JoinItem> =
				joins.drain(..take(joins.len())).map(|(item, ..)| item).collect();
			let chunk_commits: Vec<_> = commits.drain(..take(commits.len())).collect();
			let chunk_reveals: Vec<_> = reveals.drain(..take(reveals.len())).collect();
			let batch = WorkerBatch {
				joins: BoundedVec::truncate_from(chunk_joins),
				commits: BoundedVec::truncate_from(
					chunk_commits.iter().map(|(item, ..)| item.clone()).collect(),
				),
				reveals: BoundedVec::truncate_from(
					chunk_reveals.iter().map(|(item, ..)| item.clone()).collect(),
				),
			};
			let payload = Self::worker_batch_payload(&local.who, &batch);
			let Some(signature) = sp_io::crypto::sr25519_sign(vrf::KEY_TYPE, &local.key, &payload)
			else {
				log::warn!(
					target: LOG_TARGET,
					"the keystore cannot sign the worker batch of {:?}",
					local.who
				);
				return;
			};
			let (j, m, r) = batch.counts();
			let call = Call::<T>::worker_batch { witness: local.who.clone(), batch, signature };
			let transaction =
				<T as CreateAuthorizedTransaction<Call<T>>>::create_authorized_transaction(
					call.into(),
				);
			if SubmitTransaction::<T, Call<T>>::submit_transaction(transaction).is_err() {
				// Also the answer to a retry whose first submission is still pending: the
				// claims hand the items out again after `CLAIM_RETRY_BLOCKS`.
				log::warn!(
					target: LOG_TARGET,
					"the transaction pool refused the worker batch of {:?} ({} joins, {} \
					 commits, {} reveals)",
					local.who,
					j,
					m,
					r
				);
				continue;
			}
			log::info!(
				target: LOG_TARGET,
				"witness {:?} submitted a worker batch: {} joins, {} commits, {} reveals",
				local.who,
				j,
				m,
				r
			);
			for (item, key, _, violated) in chunk_commits.iter() {
				salts::mark_committed(key, at.block);
				log::info!(
					target: LOG_TARGET,
					"order {} round {}: witness {:?} committed violated={}",
					item.order_id,
					item.round,
					local.who,
					violated
				);
			}
			for (item, key, _, violated) in chunk_reveals.iter() {
				salts::mark_revealed(key);
				log::info!(
					target: LOG_TARGET,
					"order {} round {}: witness {:?} revealed violated={}",
					item.order_id,
					item.round,
					local.who,
					violated
				);
			}
		}
	}
}
