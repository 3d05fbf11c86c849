//! The provider heartbeat worker (docs/architecture.md §7.1): the authorization of `worker_heartbeat` and the
//! off-chain worker that probes `/healthz` and submits it.
//!
//! The mock's `HeartbeatPeriod` is 4: periods are `[0, 4)`, `[4, 8)`, `[8, 12)`, …

use super::*;
use crate::{
	heartbeat_crypto::{signing_payload, HEARTBEAT_CONTEXT, KEY_TYPE},
	heartbeat_worker_key,
	pallet::Call,
	HeartbeatWorkerRecord, WORKER_HEARTBEAT_PRIORITY,
};
use codec::{Decode, Encode};
use frame_support::pallet_prelude::{
	Authorize, InvalidTransaction, TransactionSource, TransactionValidityWithRefund,
	ValidTransaction,
};
use sp_core::{
	offchain::{
		self,
		testing::{PendingRequest, TestOffchainExt, TestTransactionPoolExt},
		OffchainDbExt, OffchainWorkerExt, TransactionPoolExt,
	},
	sr25519, Pair,
};
use sp_keystore::{testing::MemoryKeystore, Keystore, KeystoreExt};
use sp_runtime::{generic::Preamble, traits::IdentifyAccount};
use std::sync::{
	atomic::{AtomicU16, Ordering},
	Arc,
};

const HEALTHZ: &str = "https://provider.example/healthz";

/// The sr25519 key pair of `seed` (e.g. `"//Provider"`).
fn pair(seed: &str) -> sr25519::Pair {
	sr25519::Pair::from_string(seed, None).expect("valid seed")
}

/// The mock account of a heartbeat key.
fn account(public: sr25519::Public) -> AccountId {
	MockWorkerPublic::from(public).into_account()
}

/// Register `who` offering levels 0 and 1, with `key` as heartbeat key and no heartbeat yet.
fn register_with_key(who: AccountId, key: AccountId) {
	assert_ok!(Market::register_provider(
		RuntimeOrigin::signed(who),
		STAKE,
		endpoint(),
		BoundedVec::truncate_from(vec![0, 1]),
		key,
	));
}

/// A heartbeat of `key` made at `at`.
fn heartbeat(key: AccountId, capacity: &[(LevelId, u32)], at: BlockNumber) -> HeartbeatOf<Test> {
	Heartbeat { key, capacity: BoundedVec::truncate_from(capacity.to_vec()), at }
}

/// `pair`'s signature of `heartbeat`.
fn sign(pair: &sr25519::Pair, heartbeat: &HeartbeatOf<Test>) -> MockWorkerSignature {
	MockWorkerSignature(pair.sign(&signing_payload(heartbeat)))
}

/// The authorization of `worker_heartbeat(heartbeat, signature)`.
fn authorize(
	heartbeat: &HeartbeatOf<Test>,
	signature: &MockWorkerSignature,
) -> TransactionValidityWithRefund {
	Call::<Test>::worker_heartbeat { heartbeat: heartbeat.clone(), signature: signature.clone() }
		.authorize(TransactionSource::External)
		.expect("worker_heartbeat has an authorization")
}

/// The validity of an authorized heartbeat.
fn validity(heartbeat: &HeartbeatOf<Test>, signature: &MockWorkerSignature) -> ValidTransaction {
	let (validity, refund) = authorize(heartbeat, signature).expect("authorized");
	assert_eq!(refund, Weight::zero());
	validity
}

/// The origin of an authorized transaction.
fn authorized() -> RuntimeOrigin {
	frame_system::RawOrigin::Authorized.into()
}

/// The provides tag of `key`'s heartbeat in period `index`.
fn tag(key: AccountId, index: BlockNumber) -> Vec<u8> {
	(HEARTBEAT_CONTEXT, key, index).encode()
}

#[test]
fn authorized_heartbeat_is_valid_once_per_period_and_recorded() {
	ExtBuilder::default().build_and_execute(|| {
		let prov = pair("//Provider");
		let key = account(prov.public());
		register_with_key(P1, key);
		run_to_block(6);

		let beat = heartbeat(key, &[(0, 3), (1, 0)], 5);
		let signature = sign(&prov, &beat);
		assert_eq!(
			validity(&beat, &signature),
			ValidTransaction {
				priority: WORKER_HEARTBEAT_PRIORITY,
				requires: vec![],
				provides: vec![tag(key, 1)],
				longevity: 3,
				propagate: true,
			}
		);

		assert_ok!(Market::worker_heartbeat(authorized(), beat.clone(), signature.clone()));
		assert_eq!(provider(P1).last_heartbeat, Some(6));
		assert_eq!(provider(P1).capacity.to_vec(), vec![(0, 3), (1, 0)]);
		assert_eq!(last_event(), Event::HeartbeatReceived { provider: P1 });

		// A replay, or another heartbeat of the same period, is stale now.
		assert_eq!(authorize(&beat, &signature), Err(InvalidTransaction::Stale.into()));
		let again = heartbeat(key, &[], 6);
		assert_eq!(authorize(&again, &sign(&prov, &again)), Err(InvalidTransaction::Stale.into()));
		// The next period's is fine.
		run_to_block(8);
		let next = heartbeat(key, &[], 8);
		assert_eq!(validity(&next, &sign(&prov, &next)).provides, vec![tag(key, 2)]);
	});
}

#[test]
fn heartbeats_of_one_key_and_period_share_the_tag() {
	ExtBuilder::default().build_and_execute(|| {
		let (first, second) = (pair("//Provider"), pair("//Other"));
		let (key1, key2) = (account(first.public()), account(second.public()));
		register_with_key(P1, key1);
		register_with_key(P2, key2);
		run_to_block(5);
		let previous_period = heartbeat(key1, &[], 3);
		let previous_period = validity(&previous_period, &sign(&first, &previous_period));
		assert_eq!((previous_period.provides, previous_period.longevity), (vec![tag(key1, 0)], 2));
		run_to_block(7);

		let early = heartbeat(key1, &[], 4);
		let late = heartbeat(key1, &[(0, 9)], 7);
		let early = validity(&early, &sign(&first, &early));
		let late = validity(&late, &sign(&first, &late));
		assert_eq!(early.provides, late.provides);
		assert_eq!((early.longevity, late.longevity), (1, 4));

		let other = heartbeat(key2, &[], 7);
		assert_ne!(validity(&other, &sign(&second, &other)).provides, late.provides);
	});
}

#[test]
fn authorization_rejects_bad_heartbeats() {
	ExtBuilder::default().build_and_execute(|| {
		let prov = pair("//Provider");
		let key = account(prov.public());
		register_with_key(P1, key);
		run_to_block(6);
		let check =
			|beat: &HeartbeatOf<Test>, signer: &sr25519::Pair, error: InvalidTransaction| {
				assert_eq!(authorize(beat, &sign(signer, beat)), Err(error.into()), "{beat:?}");
			};

		// From the future, or a period old.
		check(&heartbeat(key, &[], 7), &prov, InvalidTransaction::Future);
		check(&heartbeat(key, &[], 2), &prov, InvalidTransaction::Stale);
		check(&heartbeat(key, &[], 0), &prov, InvalidTransaction::Stale);
		// Not a registered heartbeat key (signed correctly by its own key).
		let stranger = pair("//Stranger");
		check(
			&heartbeat(account(stranger.public()), &[], 6),
			&stranger,
			InvalidTransaction::BadSigner,
		);
		// Signed by another key.
		check(&heartbeat(key, &[], 6), &stranger, InvalidTransaction::BadProof);
		// Signed over something else.
		let beat = heartbeat(key, &[(0, 1)], 6);
		let tampered = heartbeat(key, &[(0, 100)], 6);
		assert_eq!(
			authorize(&tampered, &sign(&prov, &beat)),
			Err(InvalidTransaction::BadProof.into())
		);
		let without_context = MockWorkerSignature(prov.sign(&beat.encode()));
		assert_eq!(authorize(&beat, &without_context), Err(InvalidTransaction::BadProof.into()));
		// Capacity the dispatch would refuse.
		check(&heartbeat(key, &[(3, 1)], 6), &prov, InvalidTransaction::Call);
		check(&heartbeat(key, &[(0, 1), (0, 2)], 6), &prov, InvalidTransaction::Call);
		// A signed heartbeat already covered the period.
		assert_ok!(Market::heartbeat(RuntimeOrigin::signed(key), BoundedVec::new()));
		check(&heartbeat(key, &[], 6), &prov, InvalidTransaction::Stale);
		check(&heartbeat(key, &[], 4), &prov, InvalidTransaction::Stale);
	});
}

#[test]
fn worker_heartbeat_needs_the_authorized_origin() {
	ExtBuilder::default().build_and_execute(|| {
		let prov = pair("//Provider");
		let key = account(prov.public());
		register_with_key(P1, key);
		let beat = heartbeat(key, &[], 1);
		let signature = sign(&prov, &beat);
		assert_noop!(
			Market::worker_heartbeat(RuntimeOrigin::signed(key), beat.clone(), signature.clone()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Market::worker_heartbeat(RuntimeOrigin::none(), beat.clone(), signature.clone()),
			DispatchError::BadOrigin
		);
		// Dispatch repeats the checks of `heartbeat` (for a key unregistered in between).
		assert_ok!(Market::unregister_provider(RuntimeOrigin::signed(P1)));
		assert_noop!(
			Market::worker_heartbeat(authorized(), beat, signature),
			Error::<Test>::UnknownHeartbeatKey
		);
	});
}

// ---------------------------------------------------------------------------------------------
// The off-chain worker
// ---------------------------------------------------------------------------------------------

/// `TestOffchainExt` answers every request with `200`; this wrapper answers with `status`.
#[derive(Clone)]
struct StatusHttp {
	inner: TestOffchainExt,
	status: Arc<AtomicU16>,
}

impl offchain::Externalities for StatusHttp {
	fn is_validator(&self) -> bool {
		self.inner.is_validator()
	}

	fn network_state(&self) -> Result<offchain::OpaqueNetworkState, ()> {
		self.inner.network_state()
	}

	fn timestamp(&mut self) -> offchain::Timestamp {
		self.inner.timestamp()
	}

	fn sleep_until(&mut self, deadline: offchain::Timestamp) {
		self.inner.sleep_until(deadline)
	}

	fn random_seed(&mut self) -> [u8; 32] {
		self.inner.random_seed()
	}

	fn http_request_start(
		&mut self,
		method: &str,
		uri: &str,
		meta: &[u8],
	) -> Result<offchain::HttpRequestId, ()> {
		self.inner.http_request_start(method, uri, meta)
	}

	fn http_request_add_header(
		&mut self,
		request_id: offchain::HttpRequestId,
		name: &str,
		value: &str,
	) -> Result<(), ()> {
		self.inner.http_request_add_header(request_id, name, value)
	}

	fn http_request_write_body(
		&mut self,
		request_id: offchain::HttpRequestId,
		chunk: &[u8],
		deadline: Option<offchain::Timestamp>,
	) -> Result<(), offchain::HttpError> {
		self.inner.http_request_write_body(request_id, chunk, deadline)
	}

	fn http_response_wait(
		&mut self,
		ids: &[offchain::HttpRequestId],
		deadline: Option<offchain::Timestamp>,
	) -> Vec<offchain::HttpRequestStatus> {
		let status = self.status.load(Ordering::SeqCst);
		self.inner
			.http_response_wait(ids, deadline)
			.into_iter()
			.map(|answer| match answer {
				offchain::HttpRequestStatus::Finished(_) => {
					offchain::HttpRequestStatus::Finished(status)
				},
				other => other,
			})
			.collect()
	}

	fn http_response_headers(
		&mut self,
		request_id: offchain::HttpRequestId,
	) -> Vec<(Vec<u8>, Vec<u8>)> {
		self.inner.http_response_headers(request_id)
	}

	fn http_response_read_body(
		&mut self,
		request_id: offchain::HttpRequestId,
		buffer: &mut [u8],
		deadline: Option<offchain::Timestamp>,
	) -> Result<usize, offchain::HttpError> {
		self.inner.http_response_read_body(request_id, buffer, deadline)
	}

	fn set_authorized_nodes(&mut self, nodes: Vec<sp_core::OpaquePeerId>, authorized_only: bool) {
		self.inner.set_authorized_nodes(nodes, authorized_only)
	}
}

/// A provider's node: the chain with provider `P1` (levels 0 and 1) whose heartbeat key is the
/// node's `prov` key, the off-chain extensions, the transaction pool and the keystore.
struct Node {
	ext: sp_io::TestExternalities,
	offchain: TestOffchainExt,
	/// Takes the transactions out of the pool.
	take_transactions: Box<dyn Fn() -> Vec<Vec<u8>>>,
	status: Arc<AtomicU16>,
	public: sr25519::Public,
	key: AccountId,
}

impl Node {
	/// The node with `P1` registered at block 1 with `endpoint` (no heartbeat yet).
	fn with_endpoint(endpoint: &[u8]) -> Self {
		let mut ext = ExtBuilder::default().build();
		let keystore = MemoryKeystore::new();
		let public = keystore.sr25519_generate_new(KEY_TYPE, Some("//Provider")).unwrap();
		let (offchain, _) = TestOffchainExt::new();
		let status = Arc::new(AtomicU16::new(200));
		let http = StatusHttp { inner: offchain.clone(), status: status.clone() };
		let (pool, pool_state) = TestTransactionPoolExt::new();
		ext.register_extension(OffchainWorkerExt::new(http));
		ext.register_extension(OffchainDbExt::new(offchain.clone()));
		ext.register_extension(TransactionPoolExt::new(pool));
		ext.register_extension(KeystoreExt::new(keystore));
		let key = account(public);
		ext.execute_with(|| {
			assert_ok!(Market::register_provider(
				RuntimeOrigin::signed(P1),
				STAKE,
				BoundedVec::truncate_from(endpoint.to_vec()),
				BoundedVec::truncate_from(vec![0, 1]),
				key,
			));
		});
		let take_transactions =
			Box::new(move || std::mem::take(&mut pool_state.write().transactions));
		Self { ext, offchain, take_transactions, status, public, key }
	}

	/// The node with `P1` at the mock's endpoint.
	fn new() -> Self {
		Self::with_endpoint(b"https://provider.example")
	}

	/// The daemon answers the next `/healthz` with `status` and `body`.
	fn expect_healthz(&self, status: u16, body: &[u8]) {
		self.status.store(status, Ordering::SeqCst);
		self.offchain.0.write().expect_request(PendingRequest {
			method: "GET".into(),
			uri: HEALTHZ.into(),
			headers: vec![("Connection".into(), "close".into())],
			sent: true,
			response: Some(body.to_vec()),
			..Default::default()
		});
	}

	/// Run the chain to block `n` and the off-chain worker there.
	fn worker_at(&mut self, n: BlockNumber) {
		self.ext.execute_with(|| {
			run_to_block(n);
			Market::offchain_worker(n);
		});
	}

	/// The transactions in the pool, taken out and decoded as `worker_heartbeat` calls.
	fn take_heartbeats(&self) -> Vec<(HeartbeatOf<Test>, MockWorkerSignature)> {
		(self.take_transactions)()
			.into_iter()
			.map(|tx| {
				let xt = Extrinsic::decode(&mut &tx[..]).expect("an extrinsic");
				assert!(matches!(xt.preamble, Preamble::General(..)), "a general transaction");
				match xt.function {
					RuntimeCall::Market(Call::worker_heartbeat { heartbeat, signature }) => {
						(heartbeat, signature)
					},
					other => panic!("not a worker heartbeat: {other:?}"),
				}
			})
			.collect()
	}

	/// The worker's off-chain record of the node's key.
	fn record(&self) -> Option<HeartbeatWorkerRecord<BlockNumber>> {
		let stored =
			self.offchain.0.read().persistent_storage.get(&heartbeat_worker_key(&self.key));
		stored.map(|bytes| Decode::decode(&mut &bytes[..]).expect("a record"))
	}

	/// Check the invariants at the end of a test.
	fn finish(mut self) {
		self.ext.execute_with(check_invariants);
	}
}

#[test]
fn healthy_daemon_gets_one_signed_heartbeat_per_period() {
	let mut node = Node::new();
	node.expect_healthz(200, br#"{"status":"ok","capacity":[[0,12],[1,6]]}"#);
	node.worker_at(4);

	let sent = node.take_heartbeats();
	assert_eq!(sent.len(), 1);
	let (beat, signature) = sent[0].clone();
	assert_eq!(beat, heartbeat(node.key, &[(0, 12), (1, 6)], 4));
	assert!(sp_io::crypto::sr25519_verify(&signature.0, &signing_payload(&beat), &node.public));
	assert_eq!(
		node.record(),
		Some(HeartbeatWorkerRecord { claimed_period: Some(1), last_sent: Some(4) })
	);
	node.ext.execute_with(|| {
		// The pool would accept it, and dispatching it records the heartbeat.
		assert_eq!(validity(&beat, &signature).provides, vec![tag(node.key, 1)]);
		assert_ok!(Market::worker_heartbeat(authorized(), beat, signature));
		assert_eq!(provider(P1).last_heartbeat, Some(4));
		assert_eq!(provider(P1).capacity.to_vec(), vec![(0, 12), (1, 6)]);
	});

	// A second run in the period (a fork, a re-import) and the rest of the period: nothing,
	// not even a probe (an unexpected request would fail the test).
	node.ext.execute_with(|| Market::offchain_worker(4));
	node.worker_at(5);
	node.worker_at(7);
	assert!(node.take_heartbeats().is_empty());

	// The next period.
	node.expect_healthz(200, b"ok\n");
	node.worker_at(8);
	let sent = node.take_heartbeats();
	assert_eq!(sent.len(), 1);
	// Not JSON: the capacity recorded on chain.
	assert_eq!(sent[0].0, heartbeat(node.key, &[(0, 12), (1, 6)], 8));
	node.finish();
}

#[test]
fn concurrent_runs_of_one_block_submit_once() {
	let mut node = Node::new();
	node.expect_healthz(200, b"");
	node.worker_at(4);
	node.ext.execute_with(|| {
		Market::offchain_worker(4);
		Market::offchain_worker(4);
	});
	assert_eq!(node.take_heartbeats().len(), 1);
	node.finish();
}

#[test]
fn unhealthy_daemon_gets_no_heartbeat() {
	let mut node = Node::new();
	node.expect_healthz(503, b"service unavailable\n");
	node.worker_at(4);
	assert!(node.take_heartbeats().is_empty());
	assert_eq!(
		node.record(),
		Some(HeartbeatWorkerRecord { claimed_period: Some(1), last_sent: None })
	);

	// No second probe in that period; the next period's probe succeeds.
	node.worker_at(5);
	assert!(node.take_heartbeats().is_empty());
	node.expect_healthz(200, b"ok");
	node.worker_at(8);
	assert_eq!(node.take_heartbeats().len(), 1);

	// Other failures: a redirect, a body that is too large.
	node.expect_healthz(301, b"");
	node.worker_at(12);
	node.expect_healthz(200, &vec![b' '; defaas_offchain_workers::probe::MAX_HEALTHZ_BODY + 1]);
	node.worker_at(16);
	assert!(node.take_heartbeats().is_empty());
	node.finish();
}

#[test]
fn no_heartbeat_between_heartbeat_blocks() {
	let mut node = Node::new();
	for n in [2, 3, 5, 6, 7] {
		node.worker_at(n);
	}
	assert!(node.take_heartbeats().is_empty());
	assert_eq!(node.record(), None);
	node.finish();
}

#[test]
fn missed_heartbeat_block_is_made_up_for() {
	let mut node = Node::new();
	node.expect_healthz(200, b"");
	node.worker_at(4);
	assert_eq!(node.take_heartbeats().len(), 1);
	// The node did not run the worker at block 8 (say, it was busy importing).
	node.ext.execute_with(|| run_to_block(9));
	node.expect_healthz(200, b"");
	node.worker_at(9);
	let sent = node.take_heartbeats();
	assert_eq!(sent.len(), 1);
	assert_eq!(sent[0].0.at, 9);
	assert_eq!(
		node.record(),
		Some(HeartbeatWorkerRecord { claimed_period: Some(2), last_sent: Some(9) })
	);
	node.worker_at(10);
	assert!(node.take_heartbeats().is_empty());
	node.finish();
}

#[test]
fn capacity_for_unoffered_or_repeated_levels_is_dropped() {
	let mut node = Node::new();
	node.expect_healthz(200, br#"{"capacity":[[1,4],[3,9],[1,5],[0,2]]}"#);
	node.worker_at(4);
	let sent = node.take_heartbeats();
	assert_eq!(sent[0].0.capacity.to_vec(), vec![(1, 4), (0, 2)]);
	node.ext.execute_with(|| {
		let (beat, signature) = sent[0].clone();
		assert!(authorize(&beat, &signature).is_ok());
	});
	node.finish();
}

#[test]
fn provider_that_already_beat_this_period_is_not_probed() {
	let mut node = Node::new();
	let key = node.key;
	node.ext.execute_with(|| {
		run_to_block(4);
		assert_ok!(Market::heartbeat(RuntimeOrigin::signed(key), BoundedVec::new()));
	});
	node.worker_at(4);
	assert!(node.take_heartbeats().is_empty());
	assert_eq!(node.record(), None);
	node.finish();
}

#[test]
fn keys_that_are_no_heartbeat_key_are_ignored() {
	let mut node = Node::new();
	node.ext.execute_with(|| {
		assert_ok!(Market::unregister_provider(RuntimeOrigin::signed(P1)));
	});
	node.worker_at(4);
	assert!(node.take_heartbeats().is_empty());
	assert_eq!(node.record(), None);

	// A node without `prov` keys does nothing at all.
	let mut bare = Node::new();
	bare.ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
	bare.worker_at(4);
	assert!(bare.take_heartbeats().is_empty());
	node.finish();
	bare.finish();
}

#[test]
fn endpoint_that_is_not_utf8_gets_no_heartbeat() {
	let mut node = Node::with_endpoint(&[0xff, 0xfe]);
	node.worker_at(4);
	assert!(node.take_heartbeats().is_empty());
	node.finish();
}

#[test]
fn provider_directory_reads_endpoints_and_level_memory() {
	use crate::traits::ProviderDirectory;
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		assert_eq!(
			<Market as ProviderDirectory<AccountId>>::endpoint(&P1),
			Some(b"https://provider.example".to_vec())
		);
		assert_eq!(<Market as ProviderDirectory<AccountId>>::endpoint(&NOBODY), None);
		assert_eq!(<Market as ProviderDirectory<AccountId>>::level_memory_mb(2), Some(2_048));
		assert_eq!(<Market as ProviderDirectory<AccountId>>::level_memory_mb(4), None);
	});
}

/// A transaction pool that refuses everything.
struct RefusingPool;

impl offchain::TransactionPool for RefusingPool {
	fn submit_transaction(&mut self, _extrinsic: Vec<u8>) -> Result<(), ()> {
		Err(())
	}
}

#[test]
fn refused_submission_is_not_recorded_as_sent() {
	let mut node = Node::new();
	node.ext.register_extension(TransactionPoolExt::new(RefusingPool));
	node.expect_healthz(200, b"");
	node.worker_at(4);
	assert_eq!(
		node.record(),
		Some(HeartbeatWorkerRecord { claimed_period: Some(1), last_sent: None })
	);
	// Without a recorded send, a missed heartbeat block is not made up for: next at block 8.
	node.worker_at(9);
	node.finish();
}
