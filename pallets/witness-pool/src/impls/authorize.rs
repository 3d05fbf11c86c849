//! Authorization of the off-chain worker's transactions (`#[pallet::authorize]`, docs/architecture.md §7).
//!
//! `worker_batch` carries no signer and pays no fee; the runtime's `AuthorizeCall` extension
//! runs [`Pallet::authorize_worker_batch`] in the pool and again in the block. A batch is
//! valid iff its witness is registered, the witness's `wtns` key signed it, every join's VRF
//! signature verifies with the output the join claims (checked even for a join no longer
//! accepted, so the dispatch can rely on every join of an authorized batch and need not
//! derive outputs again), and at least one item would be accepted now.
//! Cheap checks come first, the proofs last.
//!
//! A valid batch provides the tag `("WitnessPool", (kind tag, order_id, round, witness))` of
//! each item accepted now, so the pool holds at most one transaction per witness, kind and
//! round, and lives until the last of those items' windows closes. Errors: a bad batch
//! signature, a VRF signature that does not verify or a reveal that does not open its
//! commitment → `BadProof`; an unregistered witness, an empty batch or a round twice among
//! the items of a kind → `Call`; when no item is accepted, the first item's reason: a closed
//! window, a missing round or a phase already done → `Stale`; a window not open yet →
//! `Future`; anything else (not a member, ineligible, above the threshold, not selected, not
//! committed, duplicate commitment) → `Call`.

use crate::{
	pallet::{Config, Error, Pallet, Rounds, Witnesses},
	types::*,
	vrf::{self, VrfKey},
	weights::WeightInfo,
};
use alloc::vec::Vec;
use codec::Encode;
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_core::sr25519;
use sp_runtime::{traits::Saturating, SaturatedConversion};

/// Whether an item of a batch is accepted now (and until which block), refused for now, or
/// refutes the whole batch.
type ItemCheck<BlockNumber> = Result<BlockNumber, InvalidTransaction>;

impl<T: Config> Pallet<T> {
	/// The message a witness's `wtns` key signs for `worker_batch`:
	/// `SCALE((b"defaas/wp/batch", witness, batch))`, i.e. the 15 ASCII bytes
	/// `defaas/wp/batch`, the witness's account id and the SCALE encoding of the batch.
	pub fn worker_batch_payload(witness: &T::AccountId, batch: &WorkerBatch) -> Vec<u8> {
		(b"defaas/wp/batch", witness, batch).encode()
	}

	/// `worker_batch`'s dispatch weight with `j` joins, `m` commits and `r` reveals: the
	/// benchmarks of batches of one kind added, the empty batch's cost counted once.
	pub fn worker_batch_weight(j: u32, m: u32, r: u32) -> Weight {
		type W<T> = <T as Config>::WeightInfo;
		let kinds = (W::<T>::worker_batch_joins, W::<T>::worker_batch_commits);
		Self::per_kind(kinds.0, kinds.1, W::<T>::worker_batch_reveals, (j, m, r))
	}

	/// `worker_batch`'s authorization weight with `j` joins, `m` commits and `r` reveals, as
	/// [`Self::worker_batch_weight`] (the base — the batch signature — counted once).
	pub fn authorize_worker_batch_weight(j: u32, m: u32, r: u32) -> Weight {
		type W<T> = <T as Config>::WeightInfo;
		let kinds = (W::<T>::authorize_worker_batch_joins, W::<T>::authorize_worker_batch_commits);
		Self::per_kind(kinds.0, kinds.1, W::<T>::authorize_worker_batch_reveals, (j, m, r))
	}

	/// `joins(j)` plus what `m` commits and `r` reveals add to an empty batch.
	fn per_kind(
		joins: fn(u32) -> Weight,
		commits: fn(u32) -> Weight,
		reveals: fn(u32) -> Weight,
		(j, m, r): (u32, u32, u32),
	) -> Weight {
		let added = |f: fn(u32) -> Weight, n: u32| f(n).saturating_sub(f(0));
		joins(j).saturating_add(added(commits, m)).saturating_add(added(reveals, r))
	}

	/// `#[pallet::authorize]` of `worker_batch` (see the module documentation).
	pub(crate) fn authorize_worker_batch(
		_source: TransactionSource,
		witness: &T::AccountId,
		batch: &WorkerBatch,
		signature: &sr25519::Signature,
	) -> TransactionValidityWithRefund {
		let key = Witnesses::<T>::get(witness).ok_or(InvalidTransaction::Call)?.vrf_key;
		ensure!(!batch.is_empty() && !batch.has_duplicates(), InvalidTransaction::Call);
		let payload = Self::worker_batch_payload(witness, batch);
		ensure!(
			sp_io::crypto::sr25519_verify(signature, &payload, &key),
			InvalidTransaction::BadProof
		);

		let mut accepted: Vec<(&'static [u8], OrderId, u32, BlockNumberFor<T>)> = Vec::new();
		let mut first_refusal: Option<InvalidTransaction> = None;
		let mut note = |tag: &'static [u8],
		                order_id: OrderId,
		                round: u32,
		                check: ItemCheck<BlockNumberFor<T>>| {
			match check {
				Ok(until) => accepted.push((tag, order_id, round, until)),
				Err(InvalidTransaction::BadProof) => return Err(InvalidTransaction::BadProof),
				Err(refusal) => {
					first_refusal.get_or_insert(refusal);
				},
			}
			Ok(())
		};
		for item in batch.joins.iter() {
			note(
				WORKER_JOIN_TAG,
				item.order_id,
				item.round,
				Self::authorize_join_item(witness, &key, item),
			)?;
		}
		for item in batch.commits.iter() {
			note(
				WORKER_COMMIT_TAG,
				item.order_id,
				item.round,
				Self::authorize_commit_item(witness, item),
			)?;
		}
		for item in batch.reveals.iter() {
			note(
				WORKER_REVEAL_TAG,
				item.order_id,
				item.round,
				Self::authorize_reveal_item(witness, item),
			)?;
		}

		// It lives until the last of its items' windows closes: an item whose window closes
		// first is skipped by the block, not a reason to drop the others from the pool (the
		// pool's revalidation drops the batch once no item is accepted).
		let Some(until) = accepted.iter().map(|(.., until)| *until).max() else {
			return Err(first_refusal.unwrap_or(InvalidTransaction::Stale).into());
		};
		let longevity = until.saturating_sub(Self::now()).saturated_into::<u64>().max(1);
		let mut validity = ValidTransaction::with_tag_prefix("WitnessPool")
			.priority(WORKER_TX_PRIORITY)
			.longevity(longevity)
			.propagate(true);
		for (tag, order_id, round, _) in accepted {
			validity = validity.and_provides((tag, order_id, round, witness));
		}
		Ok((validity.into(), Weight::zero()))
	}

	/// A join of `witness` (key `key`): its VRF signature must verify with the claimed output
	/// whatever else holds; accepted until the join window closes.
	fn authorize_join_item(
		witness: &T::AccountId,
		key: &VrfKey,
		item: &JoinItem,
	) -> ItemCheck<BlockNumberFor<T>> {
		let record =
			Rounds::<T>::get(item.order_id, item.round).ok_or(InvalidTransaction::Stale)?;
		let output = vrf::verify(key, &record.seed, &item.vrf_signature)
			.filter(|output| *output == item.output)
			.ok_or(InvalidTransaction::BadProof)?;
		let valid = Self::check_join(
			witness,
			item.order_id,
			item.round,
			&item.vrf_signature,
			JoinProof::Verified(output),
		)
		.map_err(Self::invalid_worker_transaction)?;
		Ok(valid.record.join_end)
	}

	/// A commit of `witness`: accepted until the commit window closes.
	fn authorize_commit_item(
		witness: &T::AccountId,
		item: &CommitItem,
	) -> ItemCheck<BlockNumberFor<T>> {
		let record =
			Rounds::<T>::get(item.order_id, item.round).ok_or(InvalidTransaction::Stale)?;
		if record.phase == RoundPhase::Joining {
			return Err(InvalidTransaction::Future);
		}
		Self::check_commit(witness, &record, item.commitment)
			.map_err(Self::invalid_worker_transaction)?;
		Ok(record.commit_end)
	}

	/// A reveal of `witness`: it must open the member's commitment; accepted until the reveal
	/// window closes.
	fn authorize_reveal_item(
		witness: &T::AccountId,
		item: &RevealItem,
	) -> ItemCheck<BlockNumberFor<T>> {
		let record =
			Rounds::<T>::get(item.order_id, item.round).ok_or(InvalidTransaction::Stale)?;
		let early = record.phase == RoundPhase::Joining
			|| (record.phase == RoundPhase::Reporting && Self::now() < record.commit_end);
		if early {
			return Err(InvalidTransaction::Future);
		}
		Self::check_reveal(witness, item.order_id, item.round, &record, item.violated, item.salt)
			.map_err(Self::invalid_worker_transaction)?;
		Ok(record.reveal_end)
	}

	/// How a worker transaction is invalid when the signed call would fail with `error`.
	fn invalid_worker_transaction(error: Error<T>) -> InvalidTransaction {
		match error {
			Error::<T>::RoundNotFound
			| Error::<T>::JoinWindowClosed
			| Error::<T>::NotInCommitWindow
			| Error::<T>::NotInRevealWindow
			| Error::<T>::AlreadyJoined
			| Error::<T>::AlreadyCommitted
			| Error::<T>::AlreadyRevealed => InvalidTransaction::Stale,
			Error::<T>::InvalidVrfSignature | Error::<T>::CommitmentMismatch => {
				InvalidTransaction::BadProof
			},
			_ => InvalidTransaction::Call,
		}
	}
}
