//! The witness's report salts and submission claims, in the node's persistent off-chain storage
//! (docs/architecture.md §6.3, §7.2).
//!
//! A report is committed as `blake2_256(SCALE(order_id, round, violated, salt, witness))` and
//! revealed later with the same salt, so the salt must survive node restarts until the reveal:
//! it lives in *persistent* local storage (not fork-aware, not reverted), keyed by
//! [`ReportKey`]. The worker runs once per block, possibly several runs at once, so every
//! read-modify-write is a compare-and-set ([`StorageValueRef::mutate`]) and a submission is
//! guarded by [`try_claim`], which hands out each (report, phase) once — again after
//! [`CLAIM_RETRY_BLOCKS`] if the first submission evidently did not make it on chain.
//!
//! Storage layout (values SCALE-encoded, keys readable with `offchain_localStorageGet`):
//! - `b"defaas/ocw/report/" ++ SCALE(order_id, round) ++ witness` → [`PendingReport`];
//! - `b"defaas/ocw/claim/" ++ SCALE(order_id, round) ++ witness` → `Vec<(phase: u8, block: u32)>`.

use alloc::vec::Vec;
use codec::{Decode, Encode};
use sp_io::hashing::blake2_256;
use sp_runtime::offchain::storage::{MutateStorageError, StorageValueRef};

/// Key prefix of the pending reports.
pub const REPORT_PREFIX: &[u8] = b"defaas/ocw/report/";

/// Key prefix of the submission claims.
pub const CLAIM_PREFIX: &[u8] = b"defaas/ocw/claim/";

/// Phase of [`try_claim`]: submitting `join_committee`.
pub const PHASE_JOIN: u8 = 0;

/// Phase of [`try_claim`]: submitting `commit_report`.
pub const PHASE_COMMIT: u8 = 1;

/// Phase of [`try_claim`]: submitting `reveal_report`.
pub const PHASE_REVEAL: u8 = 2;

/// Blocks after which [`try_claim`] hands out a phase again (its earlier submission is presumed
/// lost: dropped from the pool, refused by a node that was behind, or the node restarted before
/// it was gossiped). Short enough for two retries inside the shortest (dev) reveal window of six
/// blocks; a retry of a transaction that is still pending is refused by the pool (same `provides`
/// tag), which costs nothing. Each retry is signed anew (sr25519 signatures are randomized), so it
/// is never the same extrinsic as a refused, temporarily banned one.
pub const CLAIM_RETRY_BLOCKS: u32 = 2;

/// How often a compare-and-set is retried after losing a race with another worker run.
const MAX_CAS_ATTEMPTS: u32 = 4;

/// Which report: the witness's report of one round of one order.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct ReportKey {
	/// The order.
	pub order_id: u64,
	/// The round (billing period) of the order.
	pub round: u32,
	/// The SCALE encoding of the witness's account (for `AccountId32`, its 32 bytes).
	pub witness: Vec<u8>,
}

impl ReportKey {
	/// The key of `witness`'s report of `round` of `order_id`.
	pub fn new(order_id: u64, round: u32, witness: &impl Encode) -> Self {
		Self { order_id, round, witness: witness.encode() }
	}

	/// `SCALE(order_id, round) ++ witness`: for an `AccountId32` witness, equal to
	/// `SCALE((order_id, round, witness))`.
	fn suffix(&self) -> Vec<u8> {
		let mut out = (self.order_id, self.round).encode();
		out.extend_from_slice(&self.witness);
		out
	}

	/// The storage key of the pending report.
	pub fn storage_key(&self) -> Vec<u8> {
		[REPORT_PREFIX, &self.suffix()].concat()
	}

	/// The storage key of the submission claims.
	pub fn claim_key(&self) -> Vec<u8> {
		[CLAIM_PREFIX, &self.suffix()].concat()
	}
}

/// A report between the end of the probes and its reveal.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct PendingReport {
	/// What the witness reports: whether a majority of its probes failed.
	pub violated: bool,
	/// The salt of the commitment.
	pub salt: [u8; 32],
	/// The block at which `commit_report` was submitted, once it was.
	pub committed_at: Option<u32>,
	/// Whether `reveal_report` was submitted.
	pub revealed: bool,
}

impl PendingReport {
	/// A fresh report for `key` with a new salt ([`fresh_salt`]), neither committed nor revealed.
	pub fn new(key: &ReportKey, violated: bool) -> Self {
		Self { violated, salt: fresh_salt(key), committed_at: None, revealed: false }
	}

	/// The commitment of this report by `key`'s witness (see [`report_commitment`]).
	pub fn commitment(&self, key: &ReportKey) -> [u8; 32] {
		let mut preimage = (key.order_id, key.round, self.violated, self.salt).encode();
		preimage.extend_from_slice(&key.witness);
		blake2_256(&preimage)
	}
}

/// `blake2_256(SCALE(order_id, round, violated, salt, witness))`, the commitment that
/// `commit_report` carries (docs/architecture.md §6.3).
pub fn report_commitment(
	order_id: u64,
	round: u32,
	violated: bool,
	salt: &[u8; 32],
	witness: &impl Encode,
) -> [u8; 32] {
	blake2_256(&(order_id, round, violated, salt, witness).encode())
}

/// A new salt: the node's randomness (`sp_io::offchain::random_seed()`) hashed with the report
/// key, so salts differ per report even if the host's randomness were to repeat.
pub fn fresh_salt(key: &ReportKey) -> [u8; 32] {
	blake2_256(&(b"defaas/salt", sp_io::offchain::random_seed(), key.storage_key()).encode())
}

/// Stores `report` under `key` unless a report is stored there already.
///
/// Returns whether it was stored. Never overwriting means a worker run that probed again (or a
/// concurrent run) cannot replace a salt that may already be committed; to replace a report,
/// [`remove`] it first.
pub fn store_pending_report(key: &ReportKey, report: &PendingReport) -> bool {
	let storage_key = key.storage_key();
	let result =
		StorageValueRef::persistent(&storage_key).mutate::<PendingReport, (), _>(|stored| {
			match stored {
				Ok(Some(_)) => Err(()),
				// Nothing stored, or an undecodable leftover: take the slot.
				Ok(None) | Err(_) => Ok(report.clone()),
			}
		});
	result.is_ok()
}

/// The report stored under `key`, if any (an undecodable value reads as none).
pub fn load(key: &ReportKey) -> Option<PendingReport> {
	StorageValueRef::persistent(&key.storage_key()).get().ok().flatten()
}

/// Records that the report's commitment was submitted at `block`. Returns `false` if no report
/// is stored under `key`.
pub fn mark_committed(key: &ReportKey, block: u32) -> bool {
	update(key, |report| report.committed_at = Some(block))
}

/// Records that the report was revealed. Returns `false` if no report is stored under `key`.
pub fn mark_revealed(key: &ReportKey) -> bool {
	update(key, |report| report.revealed = true)
}

/// Forgets the report and the submission claims of `key` (after the round's verdict).
pub fn remove(key: &ReportKey) {
	StorageValueRef::persistent(&key.storage_key()).clear();
	StorageValueRef::persistent(&key.claim_key()).clear();
}

/// Applies `change` to the report under `key` with compare-and-set, retrying a lost race a few
/// times. Returns whether a report was found and updated.
fn update(key: &ReportKey, change: impl Fn(&mut PendingReport)) -> bool {
	let storage_key = key.storage_key();
	let value = StorageValueRef::persistent(&storage_key);
	for _ in 0..MAX_CAS_ATTEMPTS {
		let result = value.mutate::<PendingReport, (), _>(|stored| match stored {
			Ok(Some(mut report)) => {
				change(&mut report);
				Ok(report)
			},
			Ok(None) | Err(_) => Err(()),
		});
		match result {
			Ok(_) => return true,
			Err(MutateStorageError::ValueFunctionFailed(())) => return false,
			Err(MutateStorageError::ConcurrentModification(_)) => continue,
		}
	}
	false
}

/// Claims the submission of `phase` ([`PHASE_JOIN`], [`PHASE_COMMIT`], [`PHASE_REVEAL`], or any
/// other tag) of `key`'s report at `block`.
///
/// Returns `true` exactly once per (key, phase) — to whichever of several concurrent worker runs
/// gets there first — unless the previous claim is at least [`CLAIM_RETRY_BLOCKS`] old, in which
/// case the phase is claimed again so a lost submission is retried. The caller submits only
/// when it gets `true`, and should first check on chain whether the phase is already done.
pub fn try_claim(key: &ReportKey, phase: u8, block: u32) -> bool {
	try_claim_with_retry(key, phase, block, CLAIM_RETRY_BLOCKS)
}

/// [`try_claim`] with a custom retry interval in blocks (at least 1).
pub fn try_claim_with_retry(key: &ReportKey, phase: u8, block: u32, retry_after: u32) -> bool {
	let retry_after = retry_after.max(1);
	let claim_key = key.claim_key();
	let value = StorageValueRef::persistent(&claim_key);
	for _ in 0..MAX_CAS_ATTEMPTS {
		let result = value.mutate::<Vec<(u8, u32)>, (), _>(|stored| {
			// An undecodable record is replaced: better a repeated submission than none.
			let mut claims = stored.ok().flatten().unwrap_or_default();
			match claims.iter_mut().find(|(p, _)| *p == phase) {
				Some((_, at)) if block < at.saturating_add(retry_after) => return Err(()),
				Some((_, at)) => *at = block,
				None => claims.push((phase, block)),
			}
			Ok(claims)
		});
		match result {
			Ok(_) => return true,
			Err(MutateStorageError::ValueFunctionFailed(())) => return false,
			// Another run changed the record (perhaps for another phase): look again.
			Err(MutateStorageError::ConcurrentModification(_)) => continue,
		}
	}
	false
}
