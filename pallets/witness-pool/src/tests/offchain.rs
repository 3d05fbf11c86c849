//! The `witness_vrf` host function and the off-chain worker's join signatures.

use super::*;
use codec::{Decode, Encode};
use sp_core::offchain::{
	testing::{TestOffchainExt, TestTransactionPoolExt},
	OffchainDbExt, OffchainWorkerExt, StorageKind, TransactionPoolExt,
};

/// Externalities with the off-chain extensions, a transaction pool (and the mock's keystore).
fn offchain_ext(builder: ExtBuilder) -> sp_io::TestExternalities {
	let mut ext = builder.build();
	let (offchain, _state) = TestOffchainExt::new();
	let (pool, _pool_state) = TestTransactionPoolExt::new();
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	ext
}

/// The signature the worker stored for `who` in a round, if any.
fn stored(order_id: OrderId, r: u32, who: AccountId) -> Option<VrfSignature> {
	let key = WitnessPool::join_signature_key(order_id, r, &who);
	sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, &key)
		.map(|bytes| VrfSignature::decode(&mut &bytes[..]).expect("a VRF signature"))
}

/// Register `who` with a `wtns` key (`//W{who}`) generated in the node keystore.
fn register_with_keystore_key(who: AccountId) -> VrfKey {
	let key =
		sp_io::crypto::sr25519_generate(vrf::KEY_TYPE, Some(format!("//W{who}").into_bytes()));
	assert_ok!(WitnessPool::register_witness(RuntimeOrigin::signed(who), STAKE, key));
	key
}

#[test]
fn the_host_function_signs_with_keystore_keys_only() {
	ExtBuilder::default().build().execute_with(|| {
		let key = sp_io::crypto::sr25519_generate(vrf::KEY_TYPE, None);
		let seed = [3u8; 32];
		assert_eq!(vrf::witness_vrf::keys(), vec![key]);
		let signature = vrf::witness_vrf::sign(&key, seed).expect("the keystore holds the key");
		let output = vrf::verify(&key, &seed, &signature).expect("the host's signature verifies");
		// The host function and the in-process verification agree.
		assert_eq!(vrf::verify_in_process(&key, &seed, &signature), Some(output));
		// Deterministic: the same key and seed give the same output.
		let again = vrf::witness_vrf::sign(&key, seed).unwrap();
		assert_eq!(vrf::verify(&key, &seed, &again), Some(output));
		// It does not verify over another seed or for another key.
		assert_eq!(vrf::verify(&key, &[4u8; 32], &signature), None);
		assert_eq!(vrf::verify(&vrf_key(1), &seed, &signature), None);
		// Keys of other types and unknown keys cannot sign.
		assert_eq!(vrf::witness_vrf::sign(&vrf_key(1), seed), None);
		let other = sp_io::crypto::sr25519_generate(sp_core::crypto::KeyTypeId(*b"prov"), None);
		assert_eq!(vrf::witness_vrf::keys(), vec![key]);
		assert_eq!(vrf::witness_vrf::sign(&other, seed), None);
		// The SCALE form is pre-output then proof, 96 bytes.
		assert_eq!(signature.encode().len(), 96);
		let core = signature.to_core().expect("well-formed");
		assert_eq!(VrfSignature::from(core), signature);
	});
}

#[test]
fn the_host_function_needs_the_keystore() {
	sp_io::TestExternalities::default().execute_with(|| {
		assert!(vrf::witness_vrf::keys().is_empty());
		assert_eq!(vrf::witness_vrf::sign(&vrf_key(1), [0u8; 32]), None);
	});
}

#[test]
fn the_offchain_worker_stores_a_join_signature_for_drawn_local_witnesses() {
	offchain_ext(ExtBuilder::default().with_witnesses(1..=3)).execute_with(|| {
		let key = register_with_keystore_key(40);
		run_to_block(START + 5);
		monitor(ORDER, 3, 1);
		// Before any round: nothing to sign.
		WitnessPool::offchain_worker(START + 5);
		run_to_block(START + 6);
		let seed = round(ORDER, 0).seed;
		assert_eq!(round(ORDER, 0).threshold, u128::MAX);
		WitnessPool::offchain_worker(START + 6);

		let signature = stored(ORDER, 0, 40).expect("the worker stored the signature");
		assert!(vrf::verify(&key, &seed, &signature).is_some());
		// Only keys of the local keystore sign.
		for who in 1..=3 {
			assert_eq!(stored(ORDER, 0, who), None);
		}
		// Another run keeps the stored signature.
		WitnessPool::offchain_worker(START + 6);
		assert_eq!(stored(ORDER, 0, 40), Some(signature.clone()));
		// The stored signature joins the committee.
		assert_ok!(WitnessPool::join_committee(RuntimeOrigin::signed(40), ORDER, 0, signature));
		assert_eq!(members(ORDER, 0), vec![40]);
	});
}

#[test]
fn the_offchain_worker_skips_ineligible_witnesses_and_closed_windows() {
	offchain_ext(ExtBuilder::default().with_witnesses(1..=3)).execute_with(|| {
		// The provider's node holds a witness key: it must not sign for its own lease.
		register_with_keystore_key(PROVIDER);
		register_with_keystore_key(40);
		run_to_block(START + 5);
		// Registered now: not active when the round opens.
		register_with_keystore_key(41);
		monitor(ORDER, 3, 1);
		run_to_block(START + 6);
		WitnessPool::offchain_worker(START + 6);
		assert_eq!(stored(ORDER, 0, PROVIDER), None);
		assert_eq!(stored(ORDER, 0, 41), None);
		assert!(stored(ORDER, 0, 40).is_some());
		// After the join window nothing is signed any more.
		let key = WitnessPool::join_signature_key(ORDER, 0, &40);
		sp_io::offchain::local_storage_clear(StorageKind::PERSISTENT, &key);
		run_to_block(START + 6 + JOIN);
		WitnessPool::offchain_worker(START + 6 + JOIN);
		assert_eq!(stored(ORDER, 0, 40), None);
	});
}

#[test]
fn the_offchain_worker_stores_only_outputs_below_the_threshold() {
	offchain_ext(ExtBuilder::default().with_witnesses(1..=9)).execute_with(|| {
		MaxStepsPerBlock::set(32);
		let key = register_with_keystore_key(40);
		run_to_block(START + 5);
		for order_id in 0..16u64 {
			monitor(order_id, 1, 1);
		}
		run_to_block(START + 6);
		WitnessPool::offchain_worker(START + 6);
		let (mut drawn, mut not_drawn) = (0, 0);
		for order_id in 0..16u64 {
			let record = round(order_id, 0);
			// 10 active witnesses, committee 1: the threshold is 20 % of the output range.
			assert_eq!(record.threshold, u128::MAX / 10 * 2);
			let signature = vrf::witness_vrf::sign(&key, record.seed).unwrap();
			let output = vrf::verify(&key, &record.seed, &signature).unwrap();
			if output < record.threshold {
				drawn += 1;
				assert!(stored(order_id, 0, 40).is_some(), "order {order_id}: drawn, stored");
			} else {
				not_drawn += 1;
				assert!(stored(order_id, 0, 40).is_none(), "order {order_id}: not drawn");
			}
		}
		assert!(drawn > 0 && not_drawn > 0, "both cases among 16 rounds");
	});
}

/// The worker's stats record (persistent off-chain storage).
fn worker_stats() -> defaas_primitives::worker_stats::WorkerStats {
	use defaas_primitives::worker_stats::{WorkerStats, WORKER_STATS_KEY};
	sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, WORKER_STATS_KEY)
		.map(|bytes| WorkerStats::decode(&mut &bytes[..]).expect("worker stats"))
		.unwrap_or_default()
}

#[test]
fn a_witness_is_evaluated_once_per_round_signed_for_only_when_drawn_and_the_runs_are_recorded() {
	offchain_ext(ExtBuilder::default().with_witnesses(1..=9)).execute_with(|| {
		MaxStepsPerBlock::set(32);
		let key = register_with_keystore_key(40);
		run_to_block(START + 5);
		for order_id in 0..16u64 {
			monitor(order_id, 1, 1);
		}
		run_to_block(START + 6);
		WitnessPool::offchain_worker(START + 6);
		let first = worker_stats();
		let drawn: Vec<u64> = (0..16u64).filter(|o| stored(*o, 0, 40).is_some()).collect();
		assert!(!drawn.is_empty() && drawn.len() < 16, "some of 16 rounds draw the witness");
		// One output per round; a signature only where it draws the witness.
		let evaluations = 16 + drawn.len() as u64;
		assert_eq!((first.runs, first.rounds, first.vrf_evaluations), (1, 16, evaluations));
		assert_eq!((first.probes, first.deferred), (0, 0));
		assert_eq!(first.last_block, START as u32 + 6);

		// The next runs of the join window sign nothing again: the drawn have their stored
		// signatures, the others are in their rounds' join memos.
		WitnessPool::offchain_worker(START + 6);
		run_to_block(START + 7);
		WitnessPool::offchain_worker(START + 7);
		let later = worker_stats();
		assert_eq!((later.runs, later.rounds, later.vrf_evaluations), (3, 48, evaluations));
		for order_id in 0..16u64 {
			let signature = vrf::witness_vrf::sign(&key, round(order_id, 0).seed).unwrap();
			let output = vrf::verify(&key, &round(order_id, 0).seed, &signature).unwrap();
			assert_eq!(stored(order_id, 0, 40).is_some(), output < round(order_id, 0).threshold);
		}

		// Once the rounds report, the memos and the signatures without a seat are gone; once
		// settled, every signature.
		let memo_key = |order_id: u64| {
			let mut key = crate::types::JOIN_MEMO_PREFIX.to_vec();
			(order_id, 0u32).encode_to(&mut key);
			key
		};
		assert!(sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, &memo_key(0)).is_some());
		// (What a run in the reporting phase does first; the run would also probe.)
		run_to_block(round(0, 0).join_end);
		for order_id in 0..16u64 {
			let record = round(order_id, 0);
			WitnessPool::ocw_end_join(order_id, 0, &record);
			assert_eq!(record.phase, RoundPhase::Reporting);
			// (Nobody submitted the joins here: the committees were filled by sampling, which
			// may seat witness 40 without its signature.)
			let member = record.members.iter().any(|m| m.witness == 40);
			if !member {
				assert_eq!(stored(order_id, 0, 40), None, "order {order_id}");
			}
			let memo =
				sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, &memo_key(order_id));
			assert_eq!(memo, None, "order {order_id}");
		}
	});
}
