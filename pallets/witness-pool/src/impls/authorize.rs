//! Authorization of the off-chain worker's transactions (`#[pallet::authorize]`, docs/architecture.md §7).
//!
//! `worker_join`, `worker_commit` and `worker_reveal` carry no signer and pay no fee; the
//! runtime's `AuthorizeCall` extension runs the functions below in the pool and again in the
//! block. A transaction is valid iff the signed call would be accepted now and its proof holds:
//! the VRF signature for a join (it authenticates the witness by itself), an sr25519 signature
//! by the witness's registered `wtns` key for a commit or a reveal. Cheap checks come first,
//! the proof last.
//!
//! Each valid transaction provides the tag `("WitnessPool", (phase tag, order_id, round,
//! witness))`, so the pool holds at most one per witness, phase and round, and lives until its
//! window closes. Errors: a closed window, a missing round or a phase already done →
//! `Stale`; a window not open yet → `Future`; a failed proof (VRF, signature, or a reveal
//! that does not open the commitment) → `BadProof`; anything else (not registered, not a
//! member, ineligible, above the threshold, not selected, not committed, duplicate commitment)
//! → `Call`.

use crate::{
	pallet::{Config, Error, Pallet, Rounds, Witnesses},
	types::*,
	vrf::VrfSignature,
};
use alloc::vec::Vec;
use codec::Encode;
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_core::sr25519;
use sp_runtime::{traits::Saturating, SaturatedConversion};

impl<T: Config> Pallet<T> {
	/// The message a witness's `wtns` key signs for `worker_commit`:
	/// `SCALE((b"defaas/wp/commit", order_id, round, commitment))`, i.e. the 16 ASCII bytes
	/// `defaas/wp/commit`, `order_id` (u64 LE), `round` (u32 LE) and the 32 commitment bytes.
	pub fn worker_commit_payload(order_id: OrderId, round: u32, commitment: &[u8; 32]) -> Vec<u8> {
		(b"defaas/wp/commit", order_id, round, commitment).encode()
	}

	/// The message a witness's `wtns` key signs for `worker_reveal`:
	/// `SCALE((b"defaas/wp/reveal", order_id, round, violated, salt))`, i.e. the 16 ASCII bytes
	/// `defaas/wp/reveal`, `order_id` (u64 LE), `round` (u32 LE), `violated` (one byte) and
	/// the 32 salt bytes.
	pub fn worker_reveal_payload(
		order_id: OrderId,
		round: u32,
		violated: bool,
		salt: &[u8; 32],
	) -> Vec<u8> {
		(b"defaas/wp/reveal", order_id, round, violated, salt).encode()
	}

	/// `#[pallet::authorize]` of `worker_join`: the join would be accepted now (the VRF
	/// signature is checked last).
	pub(crate) fn authorize_worker_join(
		_source: TransactionSource,
		order_id: &OrderId,
		round: &u32,
		witness: &T::AccountId,
		vrf_signature: &VrfSignature,
	) -> TransactionValidityWithRefund {
		let valid = Self::check_join(witness, *order_id, *round, vrf_signature, JoinProof::Verify)
			.map_err(Self::invalid_worker_transaction)?;
		let validity = Self::worker_validity(
			WORKER_JOIN_TAG,
			*order_id,
			*round,
			witness,
			valid.record.join_end,
		);
		Ok((validity, Weight::zero()))
	}

	/// `#[pallet::authorize]` of `worker_commit`: the commit would be accepted now and
	/// `signature` is the witness key's signature of [`Self::worker_commit_payload`].
	pub(crate) fn authorize_worker_commit(
		_source: TransactionSource,
		order_id: &OrderId,
		round: &u32,
		witness: &T::AccountId,
		commitment: &[u8; 32],
		signature: &sr25519::Signature,
	) -> TransactionValidityWithRefund {
		let record = Rounds::<T>::get(order_id, round).ok_or(InvalidTransaction::Stale)?;
		if record.phase == RoundPhase::Joining {
			return Err(InvalidTransaction::Future.into());
		}
		let key = Witnesses::<T>::get(witness).ok_or(InvalidTransaction::Call)?.vrf_key;
		Self::check_commit(witness, &record, *commitment)
			.map_err(Self::invalid_worker_transaction)?;
		let payload = Self::worker_commit_payload(*order_id, *round, commitment);
		ensure!(
			sp_io::crypto::sr25519_verify(signature, &payload, &key),
			InvalidTransaction::BadProof
		);
		let validity =
			Self::worker_validity(WORKER_COMMIT_TAG, *order_id, *round, witness, record.commit_end);
		Ok((validity, Weight::zero()))
	}

	/// `#[pallet::authorize]` of `worker_reveal`: the reveal would be accepted now (it opens
	/// the member's commitment) and `signature` is the witness key's signature of
	/// [`Self::worker_reveal_payload`].
	pub(crate) fn authorize_worker_reveal(
		_source: TransactionSource,
		order_id: &OrderId,
		round: &u32,
		witness: &T::AccountId,
		violated: &bool,
		salt: &[u8; 32],
		signature: &sr25519::Signature,
	) -> TransactionValidityWithRefund {
		let record = Rounds::<T>::get(order_id, round).ok_or(InvalidTransaction::Stale)?;
		let early = record.phase == RoundPhase::Joining
			|| (record.phase == RoundPhase::Reporting && Self::now() < record.commit_end);
		if early {
			return Err(InvalidTransaction::Future.into());
		}
		let key = Witnesses::<T>::get(witness).ok_or(InvalidTransaction::Call)?.vrf_key;
		Self::check_reveal(witness, *order_id, *round, &record, *violated, *salt)
			.map_err(Self::invalid_worker_transaction)?;
		let payload = Self::worker_reveal_payload(*order_id, *round, *violated, salt);
		ensure!(
			sp_io::crypto::sr25519_verify(signature, &payload, &key),
			InvalidTransaction::BadProof
		);
		let validity =
			Self::worker_validity(WORKER_REVEAL_TAG, *order_id, *round, witness, record.reveal_end);
		Ok((validity, Weight::zero()))
	}

	/// A valid worker transaction: provides `(tag, order_id, round, witness)` and lives until
	/// `until` (the first block its window refuses it), at least one block.
	fn worker_validity(
		tag: &'static [u8],
		order_id: OrderId,
		round: u32,
		witness: &T::AccountId,
		until: BlockNumberFor<T>,
	) -> ValidTransaction {
		let longevity = until.saturating_sub(Self::now()).saturated_into::<u64>().max(1);
		ValidTransaction::with_tag_prefix("WitnessPool")
			.priority(WORKER_TX_PRIORITY)
			.and_provides((tag, order_id, round, witness))
			.longevity(longevity)
			.propagate(true)
			.into()
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
