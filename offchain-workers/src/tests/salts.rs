//! Report salts and submission claims in persistent off-chain storage.

use super::{bytes32, offchain_ext, offchain_ext_with_db};
use crate::salts::{
	fresh_salt, load, mark_committed, mark_revealed, remove, report_commitment,
	store_pending_report, try_claim, try_claim_with_retry, PendingReport, ReportKey,
	CLAIM_RETRY_BLOCKS, PHASE_COMMIT, PHASE_REVEAL,
};
use codec::Encode;
use sp_core::{
	crypto::AccountId32,
	offchain::{
		testing::{TestOffchainExt, TestPersistentOffchainDB},
		DbExternalities, OffchainDbExt, OffchainWorkerExt, StorageKind,
	},
};
use sp_io::TestExternalities;
use std::{
	sync::{Arc, Barrier, Mutex},
	thread,
};

fn witness(i: u8) -> AccountId32 {
	AccountId32::new([i; 32])
}

fn key(order_id: u64, round: u32) -> ReportKey {
	ReportKey::new(order_id, round, &witness(1))
}

fn report(salt: u8) -> PendingReport {
	PendingReport { violated: true, salt: [salt; 32], committed_at: None, revealed: false }
}

#[test]
fn storage_keys_follow_the_documented_layout() {
	let key = key(5, 2);
	let tail = (5u64, 2u32, witness(1)).encode();
	assert_eq!(key.storage_key(), [b"defaas/ocw/report/".as_slice(), &tail].concat());
	assert_eq!(key.claim_key(), [b"defaas/ocw/claim/".as_slice(), &tail].concat());
}

#[test]
fn report_round_trips_through_persistent_storage() {
	let (mut ext, offchain) = offchain_ext();
	ext.execute_with(|| {
		assert_eq!(load(&key(1, 0)), None);
		assert!(store_pending_report(&key(1, 0), &report(9)));
		assert_eq!(load(&key(1, 0)), Some(report(9)));
		assert_eq!(load(&key(1, 1)), None);
		assert_eq!(load(&ReportKey::new(1, 0, &witness(2))), None);
	});
	// SCALE-encoded in the persistent store, under the documented key.
	let stored = offchain.0.read().persistent_storage.get(&key(1, 0).storage_key());
	assert_eq!(stored, Some(report(9).encode()));
}

#[test]
fn stored_report_is_never_overwritten() {
	let (mut ext, _) = offchain_ext();
	ext.execute_with(|| {
		assert!(store_pending_report(&key(1, 0), &report(1)));
		assert!(!store_pending_report(&key(1, 0), &report(2)));
		assert_eq!(load(&key(1, 0)), Some(report(1)));
		remove(&key(1, 0));
		assert_eq!(load(&key(1, 0)), None);
		assert!(store_pending_report(&key(1, 0), &report(2)));
		assert_eq!(load(&key(1, 0)), Some(report(2)));
	});
}

#[test]
fn undecodable_leftover_is_replaced() {
	let (mut ext, _) = offchain_ext();
	ext.execute_with(|| {
		let storage_key = key(1, 0).storage_key();
		sp_io::offchain::local_storage_set(StorageKind::PERSISTENT, &storage_key, &[1, 2]);
		assert_eq!(load(&key(1, 0)), None);
		assert!(store_pending_report(&key(1, 0), &report(3)));
		assert_eq!(load(&key(1, 0)), Some(report(3)));
	});
}

#[test]
fn commit_and_reveal_are_recorded() {
	let (mut ext, _) = offchain_ext();
	ext.execute_with(|| {
		assert!(!mark_committed(&key(1, 0), 10));
		assert!(!mark_revealed(&key(1, 0)));
		assert!(store_pending_report(&key(1, 0), &report(4)));
		assert!(mark_committed(&key(1, 0), 10));
		assert_eq!(load(&key(1, 0)).and_then(|r| r.committed_at), Some(10));
		assert!(mark_revealed(&key(1, 0)));
		assert_eq!(
			load(&key(1, 0)),
			Some(PendingReport { committed_at: Some(10), revealed: true, ..report(4) })
		);
	});
}

#[test]
fn salt_survives_a_node_restart() {
	let db = TestPersistentOffchainDB::new();
	let (mut before, offchain) = offchain_ext_with_db(db.clone());
	offchain.0.write().seed = bytes32(b"host randomness", 0);
	let pending = before.execute_with(|| {
		let pending = PendingReport::new(&key(3, 1), false);
		assert!(store_pending_report(&key(3, 1), &pending));
		assert!(try_claim(&key(3, 1), PHASE_COMMIT, 77));
		assert!(mark_committed(&key(3, 1), 77));
		pending
	});
	drop(before);
	// A new worker (node restarted) over the same database.
	let (mut after, _) = offchain_ext_with_db(db);
	after.execute_with(|| {
		let loaded = load(&key(3, 1)).expect("still there");
		assert_eq!(loaded.salt, pending.salt);
		assert_eq!(loaded.committed_at, Some(77));
		assert!(!loaded.revealed);
		// The claim survived too: the restarted worker does not commit a second time.
		assert!(!try_claim(&key(3, 1), PHASE_COMMIT, 78));
	});
}

#[test]
fn fresh_salts_differ_per_report_and_per_host_randomness() {
	let (mut ext, offchain) = offchain_ext();
	offchain.0.write().seed = bytes32(b"host randomness", 1);
	let (a, b) = ext.execute_with(|| (fresh_salt(&key(1, 0)), fresh_salt(&key(1, 1))));
	assert_ne!(a, b);
	offchain.0.write().seed = bytes32(b"host randomness", 2);
	assert_ne!(ext.execute_with(|| fresh_salt(&key(1, 0))), a);
}

#[test]
fn commitment_matches_the_pallet_formula() {
	let (order_id, round, salt) = (11u64, 4u32, bytes32(b"salt", 0));
	let pending = PendingReport { violated: true, salt, committed_at: None, revealed: false };
	let by_hand = sp_io::hashing::blake2_256(&(order_id, round, true, salt, witness(1)).encode());
	assert_eq!(pending.commitment(&key(order_id, round)), by_hand);
	assert_eq!(report_commitment(order_id, round, true, &salt, &witness(1)), by_hand);
	assert_ne!(report_commitment(order_id, round, false, &salt, &witness(1)), by_hand);
}

#[test]
fn each_phase_is_claimed_once() {
	let (mut ext, _) = offchain_ext();
	ext.execute_with(|| {
		assert!(try_claim(&key(1, 0), PHASE_COMMIT, 100));
		assert!(!try_claim(&key(1, 0), PHASE_COMMIT, 100));
		assert!(!try_claim(&key(1, 0), PHASE_COMMIT, 101));
		// Other phases, rounds, orders and witnesses are independent.
		assert!(try_claim(&key(1, 0), PHASE_REVEAL, 100));
		assert!(try_claim(&key(1, 1), PHASE_COMMIT, 100));
		assert!(try_claim(&key(2, 0), PHASE_COMMIT, 100));
		assert!(try_claim(&ReportKey::new(1, 0, &witness(2)), PHASE_COMMIT, 100));
		assert!(!try_claim(&key(1, 0), PHASE_REVEAL, 100 + CLAIM_RETRY_BLOCKS - 1));
	});
}

#[test]
fn stale_claim_is_handed_out_again() {
	let (mut ext, _) = offchain_ext();
	ext.execute_with(|| {
		assert!(try_claim(&key(1, 0), PHASE_COMMIT, 100));
		assert!(!try_claim(&key(1, 0), PHASE_COMMIT, 100 + CLAIM_RETRY_BLOCKS - 1));
		assert!(try_claim(&key(1, 0), PHASE_COMMIT, 100 + CLAIM_RETRY_BLOCKS));
		assert!(!try_claim(&key(1, 0), PHASE_COMMIT, 100 + CLAIM_RETRY_BLOCKS));
		// An older block (a worker on a stale fork) never claims.
		assert!(!try_claim(&key(1, 0), PHASE_COMMIT, 50));
		// Custom interval, clamped to at least one block.
		assert!(try_claim_with_retry(&key(9, 0), 0, 7, 0));
		assert!(!try_claim_with_retry(&key(9, 0), 0, 7, 0));
		assert!(try_claim_with_retry(&key(9, 0), 0, 8, 0));
	});
}

#[test]
fn remove_forgets_claims() {
	let (mut ext, _) = offchain_ext();
	ext.execute_with(|| {
		assert!(store_pending_report(&key(1, 0), &report(1)));
		assert!(try_claim(&key(1, 0), PHASE_COMMIT, 100));
		remove(&key(1, 0));
		assert!(try_claim(&key(1, 0), PHASE_COMMIT, 100));
	});
}

#[test]
fn undecodable_claim_record_is_replaced() {
	let (mut ext, _) = offchain_ext();
	ext.execute_with(|| {
		let claim_key = key(1, 0).claim_key();
		sp_io::offchain::local_storage_set(StorageKind::PERSISTENT, &claim_key, &[0xff]);
		assert!(try_claim(&key(1, 0), PHASE_COMMIT, 100));
		assert!(!try_claim(&key(1, 0), PHASE_COMMIT, 100));
	});
}

/// Runs `work` on `threads` worker threads at once, each with its own externalities over the
/// shared `db`, and returns their results.
fn concurrently<T: Send + 'static>(
	threads: usize,
	db: &TestPersistentOffchainDB,
	work: impl Fn(usize) -> T + Send + Sync + 'static,
) -> Vec<T> {
	let barrier = Arc::new(Barrier::new(threads));
	let work = Arc::new(work);
	let handles: Vec<_> = (0..threads)
		.map(|t| {
			let (db, barrier, work) = (db.clone(), barrier.clone(), work.clone());
			thread::spawn(move || {
				let (mut ext, _) = offchain_ext_with_db(db);
				barrier.wait();
				ext.execute_with(|| work(t))
			})
		})
		.collect();
	handles.into_iter().map(|h| h.join().expect("worker thread")).collect()
}

#[test]
fn concurrent_claims_are_won_exactly_once() {
	const KEYS: u64 = 5_000;
	let db = TestPersistentOffchainDB::new();
	let results = concurrently(2, &db, |_| {
		(0..KEYS)
			.flat_map(|i| {
				[PHASE_COMMIT, PHASE_REVEAL].map(|phase| try_claim(&key(i, 0), phase, 100))
			})
			.collect::<Vec<bool>>()
	});
	for (slot, (a, b)) in results[0].iter().zip(&results[1]).enumerate() {
		assert!(a ^ b, "claim {slot}: first worker {a}, second worker {b}");
	}
	let wins = results[0].iter().filter(|w| **w).count();
	println!("concurrent claims: first worker won {wins} of {}", results[0].len());
}

#[test]
fn concurrent_stores_keep_exactly_one_salt() {
	const KEYS: u64 = 5_000;
	let db = TestPersistentOffchainDB::new();
	let results = concurrently(2, &db, |t| {
		(0..KEYS).map(|i| store_pending_report(&key(i, 0), &report(t as u8))).collect::<Vec<_>>()
	});
	let (mut ext, _) = offchain_ext_with_db(db);
	ext.execute_with(|| {
		for (i, (a, b)) in results[0].iter().zip(&results[1]).enumerate() {
			assert!(a ^ b, "key {i}: first worker {a}, second worker {b}");
			let winner = if *a { 0 } else { 1 };
			assert_eq!(load(&key(i as u64, 0)), Some(report(winner)));
		}
	});
	let wins = results[0].iter().filter(|w| **w).count();
	println!("concurrent stores: first worker won {wins} of {KEYS}");
}

/// A write that a competing worker makes: key and value.
type Injection = Arc<Mutex<Option<(Vec<u8>, Vec<u8>)>>>;

/// Storage that lets a competing worker write `inject` right after the next read of its key,
/// i.e. between the read and the compare-and-set of a `mutate`: a lost race, deterministically.
#[derive(Clone)]
struct RacingDb {
	inner: TestOffchainExt,
	inject: Injection,
}

impl DbExternalities for RacingDb {
	fn local_storage_set(&mut self, kind: StorageKind, key: &[u8], value: &[u8]) {
		self.inner.local_storage_set(kind, key, value)
	}

	fn local_storage_clear(&mut self, kind: StorageKind, key: &[u8]) {
		self.inner.local_storage_clear(kind, key)
	}

	fn local_storage_compare_and_set(
		&mut self,
		kind: StorageKind,
		key: &[u8],
		old_value: Option<&[u8]>,
		new_value: &[u8],
	) -> bool {
		self.inner.local_storage_compare_and_set(kind, key, old_value, new_value)
	}

	fn local_storage_get(&mut self, kind: StorageKind, key: &[u8]) -> Option<Vec<u8>> {
		let value = self.inner.local_storage_get(kind, key);
		let mut inject = self.inject.lock().unwrap();
		if inject.as_ref().is_some_and(|(k, _)| k == key) {
			let (k, v) = inject.take().unwrap();
			self.inner.local_storage_set(kind, &k, &v);
		}
		value
	}
}

/// Externalities over [`RacingDb`] and the handle to arm the competitor.
fn racing_ext() -> (TestExternalities, Injection) {
	let (offchain, _) = TestOffchainExt::new();
	let inject = Arc::new(Mutex::new(None));
	let mut ext = TestExternalities::default();
	ext.register_extension(OffchainWorkerExt::new(offchain.clone()));
	ext.register_extension(OffchainDbExt::new(RacingDb {
		inner: offchain,
		inject: inject.clone(),
	}));
	(ext, inject)
}

#[test]
fn claim_lost_to_a_competitor_in_the_same_phase_is_refused() {
	let (mut ext, inject) = racing_ext();
	let competitor = vec![(PHASE_COMMIT, 100u32)].encode();
	*inject.lock().unwrap() = Some((key(1, 0).claim_key(), competitor));
	ext.execute_with(|| {
		assert!(!try_claim(&key(1, 0), PHASE_COMMIT, 100));
		assert!(!try_claim(&key(1, 0), PHASE_COMMIT, 101));
	});
	assert!(inject.lock().unwrap().is_none(), "the competitor ran");
}

#[test]
fn race_with_a_competitor_in_another_phase_is_retried_and_won() {
	let (mut ext, inject) = racing_ext();
	let competitor = vec![(PHASE_REVEAL, 100u32)].encode();
	*inject.lock().unwrap() = Some((key(1, 0).claim_key(), competitor));
	ext.execute_with(|| {
		assert!(try_claim(&key(1, 0), PHASE_COMMIT, 100));
		// Both claims are recorded.
		assert!(!try_claim(&key(1, 0), PHASE_COMMIT, 101));
		assert!(!try_claim(&key(1, 0), PHASE_REVEAL, 101));
	});
}

#[test]
fn report_stored_by_a_competitor_first_is_kept() {
	let (mut ext, inject) = racing_ext();
	*inject.lock().unwrap() = Some((key(1, 0).storage_key(), report(1).encode()));
	ext.execute_with(|| {
		assert!(!store_pending_report(&key(1, 0), &report(2)));
		assert_eq!(load(&key(1, 0)), Some(report(1)));
	});
}

#[test]
fn update_racing_a_competitor_is_retried() {
	let (mut ext, inject) = racing_ext();
	ext.execute_with(|| assert!(store_pending_report(&key(1, 0), &report(1))));
	let revealed = PendingReport { revealed: true, ..report(1) };
	*inject.lock().unwrap() = Some((key(1, 0).storage_key(), revealed.encode()));
	ext.execute_with(|| {
		assert!(mark_committed(&key(1, 0), 9));
		// The competitor's change is kept, ours applied on top.
		assert_eq!(load(&key(1, 0)), Some(PendingReport { committed_at: Some(9), ..revealed }));
	});
}
