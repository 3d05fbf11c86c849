//! Rounds: opening (seed and threshold), joins by VRF, seeded sampling, commits and reveals.

use crate::{
	pallet::{
		ActiveCount, Config, Error, Event, Leases, Pallet, Rounds, WitnessAt, WitnessCount,
		Witnesses,
	},
	types::{Member, *},
	vrf::{self, VrfSignature},
	LOG_TARGET,
};
use alloc::vec::Vec;
use frame_support::{pallet_prelude::*, storage::with_storage_layer, traits::Randomness};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::Saturating;

impl<T: Config> Pallet<T> {
	/// The seed of round `round` of `order_id`:
	/// `blake2_256(SCALE((Randomness::random(RANDOMNESS_SUBJECT), order_id, round)))`.
	pub fn round_seed(order_id: OrderId, round: u32) -> [u8; 32] {
		let (random, _) = T::Randomness::random(RANDOMNESS_SUBJECT);
		sp_io::hashing::blake2_256(&(random, order_id, round).encode())
	}

	/// The VRF threshold for a committee of `committee_size`: about
	/// `committee_size × JoinFactor` of the active witnesses fall below it
	/// (`u128::MAX` when there are no more active witnesses than that).
	pub fn threshold(committee_size: u32) -> u128 {
		let active = u128::from(ActiveCount::<T>::get());
		let target = u128::from(committee_size).saturating_mul(u128::from(T::JoinFactor::get()));
		if active <= target {
			return u128::MAX;
		}
		u128::MAX.checked_div(active).unwrap_or(0).saturating_mul(target)
	}

	/// Step Open: draw the seed and threshold of `round`, open its join window and schedule
	/// its Select and Settle steps and the opening of the next round. Returns the number of
	/// agenda buckets probed to schedule them, `None` (nothing done) for a stale entry.
	pub(crate) fn open_round(order_id: OrderId, round: u32, now: BlockNumberFor<T>) -> Option<u32> {
		let mut lease = Leases::<T>::get(order_id)?;
		if round >= lease.periods || Rounds::<T>::contains_key(order_id, round) {
			return None;
		}
		let timings = lease.timings;
		let start = lease.round_start(round);
		let end = start.saturating_add(lease.period_length);
		let join_end = now.saturating_add(timings.join_window);
		let commit_end = end.saturating_add(timings.commit_window);
		let reveal_end = commit_end.saturating_add(timings.reveal_window);

		// Keep at most three rounds per lease even if settle steps were delayed or dropped.
		if let Some(stale) = round.checked_sub(3) {
			Self::remove_round(order_id, stale);
		}
		lease.current_round = round;
		let next = round.saturating_add(1);
		let mut probes = 0u32;
		if next < lease.periods {
			probes = Self::schedule_step(
				lease.round_start(next),
				order_id,
				next,
				Step::Open,
				lease.committee_size,
			);
		}
		let committee_size = lease.committee_size;
		Leases::<T>::insert(order_id, lease);

		if join_end >= commit_end {
			// Opened so late (agenda congestion) that members could not commit: no committee.
			log::warn!(target: LOG_TARGET, "order {} round {}: opened too late", order_id, round);
			Self::deposit_event(Event::RoundAbandoned { order_id, round });
			return Some(probes);
		}
		let seed = Self::round_seed(order_id, round);
		let threshold = Self::threshold(committee_size);
		Rounds::<T>::insert(
			order_id,
			round,
			RoundRecord {
				seed,
				opened_at: now,
				join_end,
				commit_end,
				reveal_end,
				threshold,
				phase: RoundPhase::Joining,
				members: BoundedVec::new(),
				verdict: None,
			},
		);
		probes = probes
			.saturating_add(Self::schedule_step(
				join_end,
				order_id,
				round,
				Step::Select,
				committee_size,
			))
			.saturating_add(Self::schedule_step(
				reveal_end,
				order_id,
				round,
				Step::Settle,
				committee_size,
			));
		Self::deposit_event(Event::RoundOpened { order_id, round, seed, join_end, threshold });
		Some(probes)
	}

	/// `join_committee` (and a `worker_batch` join, `JoinProof::Verified`): the committee
	/// keeps the `committee_size` lowest valid VRF outputs.
	pub(crate) fn do_join_committee(
		who: T::AccountId,
		order_id: OrderId,
		round: u32,
		signature: VrfSignature,
		proof: JoinProof,
	) -> DispatchResult {
		let ValidJoin { mut record, mut witness, output, full } =
			Self::check_join(&who, order_id, round, &signature, proof)?;
		// While joining, every member has an output and members are sorted ascending: a full
		// committee gives up its highest output.
		let evicted = if full { record.members.pop() } else { None };
		// After equal outputs (first come, first served), before higher ones.
		let position = record
			.members
			.iter()
			.position(|m| m.output.is_none_or(|o| o > output))
			.unwrap_or(record.members.len());
		let member =
			Member { witness: who.clone(), output: Some(output), commitment: None, revealed: None };
		record.members.try_insert(position, member).map_err(|_| Error::<T>::Inconsistent)?;

		if let Some(evicted) = &evicted {
			Self::release_seat(&evicted.witness);
		}
		witness.seats = witness.seats.saturating_add(1);
		Witnesses::<T>::insert(&who, witness);
		Rounds::<T>::insert(order_id, round, record);
		Self::deposit_event(Event::CommitteeJoined {
			order_id,
			round,
			witness: who,
			output,
			evicted: evicted.map(|m| m.witness),
		});
		Ok(())
	}

	/// Whether `who` may join round `round` of `order_id` with `signature` now, cheap checks
	/// first and the VRF verification last: the round is in its join window, `who` is a
	/// registered, eligible witness, the signature verifies with its key over the round seed,
	/// the output is below the threshold and, in a full committee, below the highest output.
	/// Shared by `join_committee`, `worker_batch`'s authorization and dispatch and the off-chain
	/// worker; `proof` says whether the VRF proof is still to be verified.
	pub(crate) fn check_join(
		who: &T::AccountId,
		order_id: OrderId,
		round: u32,
		signature: &VrfSignature,
		proof: JoinProof,
	) -> Result<ValidJoin<T>, Error<T>> {
		let now = Self::now();
		let record = Rounds::<T>::get(order_id, round).ok_or(Error::<T>::RoundNotFound)?;
		ensure!(
			record.phase == RoundPhase::Joining && now < record.join_end,
			Error::<T>::JoinWindowClosed
		);
		let lease = Leases::<T>::get(order_id).ok_or(Error::<T>::Inconsistent)?;
		let witness = Witnesses::<T>::get(who).ok_or(Error::<T>::NotRegistered)?;
		Self::check_eligible(who, &witness, &lease, &record)?;
		let output = match proof {
			JoinProof::Verify => vrf::verify(&witness.vrf_key, &record.seed, signature),
			JoinProof::Verified(output) => Some(output),
		}
		.ok_or(Error::<T>::InvalidVrfSignature)?;
		ensure!(output < record.threshold, Error::<T>::AboveThreshold);
		let full = record.members.len() >= usize::try_from(lease.committee_size).unwrap_or(0);
		if full {
			let highest = record.members.last().and_then(|m| m.output).unwrap_or(0);
			ensure!(output < highest, Error::<T>::NotSelected);
		}
		Ok(ValidJoin { record, witness, output, full })
	}

	/// The dense-index position seeded sampling tries in attempt `attempt`:
	/// `u32_le(blake2_256(SCALE((seed, b"fill", attempt)))[..4]) % count`.
	pub fn fill_index(seed: &[u8; 32], attempt: u32, count: u32) -> Option<u32> {
		let hash = sp_io::hashing::blake2_256(&(seed, b"fill", attempt).encode());
		let bytes = hash.first_chunk::<4>()?;
		u32::from_le_bytes(*bytes).checked_rem(count)
	}

	/// Step Select: end the join window and fill the empty seats by seeded sampling of
	/// eligible witnesses (`committee_size × FillAttemptsPerSeat` attempts at most). An empty
	/// committee abandons the round. Returns the sampling attempts made (0 when the joins
	/// filled the committee), `None` (nothing done) for a stale entry.
	pub(crate) fn select_committee(order_id: OrderId, round: u32) -> Option<u32> {
		let mut record = Rounds::<T>::get(order_id, round)?;
		if record.phase != RoundPhase::Joining {
			return None;
		}
		let lease = Leases::<T>::get(order_id)?;
		let size = usize::try_from(lease.committee_size).unwrap_or(0);
		let attempts = lease.committee_size.saturating_mul(T::FillAttemptsPerSeat::get());
		let count = WitnessCount::<T>::get();
		let mut made = 0u32;
		for attempt in 0..attempts {
			if record.members.len() >= size {
				break;
			}
			let Some(index) = Self::fill_index(&record.seed, attempt, count) else { break };
			made = made.saturating_add(1);
			let Some(candidate) = WitnessAt::<T>::get(index) else { continue };
			let Some(mut witness) = Witnesses::<T>::get(&candidate) else { continue };
			if Self::check_eligible(&candidate, &witness, &lease, &record).is_err() {
				continue;
			}
			let member = Member {
				witness: candidate.clone(),
				output: None,
				commitment: None,
				revealed: None,
			};
			if record.members.try_push(member).is_err() {
				break;
			}
			witness.seats = witness.seats.saturating_add(1);
			Witnesses::<T>::insert(&candidate, witness);
		}

		if record.members.is_empty() {
			record.phase = RoundPhase::Abandoned;
			Rounds::<T>::insert(order_id, round, record);
			Self::deposit_event(Event::RoundAbandoned { order_id, round });
		} else {
			record.phase = RoundPhase::Reporting;
			let members: Vec<T::AccountId> =
				record.members.iter().map(|m| m.witness.clone()).collect();
			Rounds::<T>::insert(order_id, round, record);
			Self::deposit_event(Event::CommitteeSelected { order_id, round, members });
		}
		Some(made)
	}

	/// `commit_report`: a member seals its report after the join window, before `commit_end`.
	pub(crate) fn do_commit_report(
		who: T::AccountId,
		order_id: OrderId,
		round: u32,
		commitment: [u8; 32],
	) -> DispatchResult {
		let mut record = Rounds::<T>::get(order_id, round).ok_or(Error::<T>::RoundNotFound)?;
		let position = Self::check_commit(&who, &record, commitment)?;
		let member = record.members.get_mut(position).ok_or(Error::<T>::Inconsistent)?;
		member.commitment = Some(commitment);

		Rounds::<T>::insert(order_id, round, record);
		Self::deposit_event(Event::ReportCommitted { order_id, round, witness: who });
		Ok(())
	}

	/// Whether `who` may commit `commitment` in `record` now; returns its position in the
	/// committee. Shared by `commit_report` and `worker_batch`'s authorization.
	pub(crate) fn check_commit(
		who: &T::AccountId,
		record: &RoundRecordOf<T>,
		commitment: [u8; 32],
	) -> Result<usize, Error<T>> {
		let now = Self::now();
		let position =
			record.members.iter().position(|m| m.witness == *who).ok_or(Error::<T>::NotMember)?;
		ensure!(
			record.phase == RoundPhase::Reporting && now < record.commit_end,
			Error::<T>::NotInCommitWindow
		);
		let member = record.members.get(position).ok_or(Error::<T>::Inconsistent)?;
		ensure!(member.commitment.is_none(), Error::<T>::AlreadyCommitted);
		// Copying another member's commitment is useless (it binds the account) and refused.
		ensure!(
			!record.members.iter().any(|m| m.commitment == Some(commitment)),
			Error::<T>::DuplicateCommitment
		);
		Ok(position)
	}

	/// `reveal_report`: a member opens its commitment in `[commit_end, reveal_end)`.
	pub(crate) fn do_reveal_report(
		who: T::AccountId,
		order_id: OrderId,
		round: u32,
		violated: bool,
		salt: [u8; 32],
	) -> DispatchResult {
		let mut record = Rounds::<T>::get(order_id, round).ok_or(Error::<T>::RoundNotFound)?;
		let position = Self::check_reveal(&who, order_id, round, &record, violated, salt)?;
		let member = record.members.get_mut(position).ok_or(Error::<T>::Inconsistent)?;
		member.revealed = Some(violated);

		Rounds::<T>::insert(order_id, round, record);
		Self::deposit_event(Event::ReportRevealed { order_id, round, witness: who, violated });
		Ok(())
	}

	/// Whether `who` may reveal `(violated, salt)` in round `round` of `order_id` (`record`)
	/// now; returns its position in the committee. Shared by `reveal_report` and
	/// `worker_batch`'s authorization.
	pub(crate) fn check_reveal(
		who: &T::AccountId,
		order_id: OrderId,
		round: u32,
		record: &RoundRecordOf<T>,
		violated: bool,
		salt: [u8; 32],
	) -> Result<usize, Error<T>> {
		let now = Self::now();
		let position =
			record.members.iter().position(|m| m.witness == *who).ok_or(Error::<T>::NotMember)?;
		ensure!(
			record.phase == RoundPhase::Reporting
				&& record.commit_end <= now
				&& now < record.reveal_end,
			Error::<T>::NotInRevealWindow
		);
		let member = record.members.get(position).ok_or(Error::<T>::Inconsistent)?;
		let commitment = member.commitment.ok_or(Error::<T>::NotCommitted)?;
		ensure!(member.revealed.is_none(), Error::<T>::AlreadyRevealed);
		ensure!(
			Self::report_commitment(order_id, round, violated, salt, who) == commitment,
			Error::<T>::CommitmentMismatch
		);
		Ok(position)
	}
}

impl<T: Config> Pallet<T> {
	/// `worker_batch`'s dispatch: apply every item as the signed call would, each in its own
	/// storage layer; an item no longer accepted is skipped with `WorkerItemSkipped`. Joins
	/// skip the VRF verification: the batch's authorization verified every join's proof and
	/// claimed output in this block execution, right before.
	pub(crate) fn apply_worker_batch(witness: T::AccountId, batch: WorkerBatch) {
		let skipped = |order_id: OrderId, round: u32, kind: WorkerItemKind, error| {
			Self::deposit_event(Event::WorkerItemSkipped {
				witness: witness.clone(),
				order_id,
				round,
				kind,
				error,
			});
		};
		for item in batch.joins {
			let (order_id, round) = (item.order_id, item.round);
			let applied = with_storage_layer(|| {
				Self::do_join_committee(
					witness.clone(),
					order_id,
					round,
					item.vrf_signature,
					JoinProof::Verified(item.output),
				)
			});
			if let Err(error) = applied {
				skipped(order_id, round, WorkerItemKind::Join, error);
			}
		}
		for item in batch.commits {
			let (order_id, round) = (item.order_id, item.round);
			let applied = with_storage_layer(|| {
				Self::do_commit_report(witness.clone(), order_id, round, item.commitment)
			});
			if let Err(error) = applied {
				skipped(order_id, round, WorkerItemKind::Commit, error);
			}
		}
		for item in batch.reveals {
			let (order_id, round) = (item.order_id, item.round);
			let applied = with_storage_layer(|| {
				Self::do_reveal_report(witness.clone(), order_id, round, item.violated, item.salt)
			});
			if let Err(error) = applied {
				skipped(order_id, round, WorkerItemKind::Reveal, error);
			}
		}
	}
}

/// A join that [`Pallet::check_join`] accepted: what `join_committee` changes.
pub(crate) struct ValidJoin<T: Config> {
	/// The round (unchanged yet).
	pub record: RoundRecordOf<T>,
	/// The joining witness (unchanged yet).
	pub witness: WitnessRecordOf<T>,
	/// Its VRF output.
	pub output: u128,
	/// Whether the committee is full: the highest output makes room.
	pub full: bool,
}
