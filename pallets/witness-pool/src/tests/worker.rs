//! The off-chain worker on its own: joins, probes at its scheduled blocks, commits, reveals
//! after a restart, and never twice.
//!
//! Witness 1's key is in the node's keystore (the other witnesses are remote). Round 0 of
//! [`ORDER`]: opens at 11, joins until 13, probes in `[13, 20)`, commits until 23, reveals
//! until 26.

use super::{node::*, *};
use codec::{Decode, Encode};
use defaas_offchain_workers::{
	challenge::{encode_product, encode_request},
	freivalds::{matrix, multiply},
	salts::{self, PendingReport, ReportKey, CLAIM_RETRY_BLOCKS},
	schedule,
};
use sp_core::offchain::{
	testing::{PendingRequest, TestOffchainExt},
	StorageKind,
};
use ProbeOutcome::{Failed, Passed};

/// The local witness.
const LOCAL: AccountId = 1;
/// End of round 0's billing period (`commit_end − commit_window`): probes end, commits start.
const PERIOD_END_0: BlockNumber = 20;

/// The health URL of [`ORDER`] at the provider.
fn health_url() -> String {
	format!("{PROVIDER_ENDPOINT}/o/{ORDER}/.well-known/defaas/health")
}

/// The challenge URL of the provider.
fn challenge_url() -> String {
	format!("{PROVIDER_ENDPOINT}/.well-known/defaas/challenge")
}

/// The blocks at which [`LOCAL`] probes round 0 of [`ORDER`].
fn probe_blocks() -> Vec<u32> {
	WitnessPool::probe_schedule(&vrf_key(LOCAL), &round(ORDER, 0).seed, 13, 20)
}

/// The report key of [`LOCAL`] in round 0.
fn report_key() -> ReportKey {
	ReportKey::new(ORDER, 0, &LOCAL)
}

/// A node of the local witness (witnesses 1..=3 registered), monitoring a one-period lease
/// with committees of three.
fn node() -> Node {
	let mut node = Node::new(ExtBuilder::default().with_witnesses(1..=3));
	node.execute(|| {
		keystore_key(LOCAL);
		monitor(ORDER, 3, 1);
	});
	node
}

/// The worker joins round 0 at its opening and the join is applied; the committee is
/// selected at [`JOIN_END_0`].
/// The reveals counted when round 0 ended, with or without a verdict (the other members, seated
/// by seeded sampling, have no worker here and never report).
fn settled_reveals() -> Option<u32> {
	pool_events().into_iter().find_map(|e| match e {
		Event::RoundSettled { order_id: ORDER, round: 0, reveals, .. }
		| Event::RoundLapsed { order_id: ORDER, round: 0, reveals, .. } => Some(reveals),
		_ => None,
	})
}

fn joined(node: &mut Node) {
	node.execute(|| run_worker_through([OPEN_0]));
	let calls = node.take_calls();
	assert_eq!(calls.len(), 1);
	node.execute(|| {
		assert_ok!(apply(calls[0].clone()));
		run_to_block(JOIN_END_0);
		assert!(members(ORDER, 0).contains(&LOCAL));
	});
}

/// Run the worker at every block of the probe window.
fn probe_all(node: &mut Node) {
	node.execute(|| run_worker_through(JOIN_END_0..PERIOD_END_0));
	assert!(node.take_calls().is_empty(), "nothing is submitted while probing");
}

/// The worker's commit at [`PERIOD_END_0`]: `violated`, and the commitment of the stored
/// report; the commit is applied.
fn commit_at_period_end(node: &mut Node) -> bool {
	node.execute(|| run_worker_through([PERIOD_END_0]));
	let calls = node.take_calls();
	assert_eq!(calls.len(), 1, "one commit");
	let CommitItem { order_id, round: 0, commitment } = only_commit(&calls[0]) else {
		panic!("not round 0: {:?}", calls[0]);
	};
	assert_eq!(order_id, ORDER);
	node.execute(|| {
		let report = salts::load(&report_key()).expect("the report is stored");
		assert_eq!(
			commitment,
			WitnessPool::report_commitment(ORDER, 0, report.violated, report.salt, &LOCAL)
		);
		assert_ok!(apply(calls[0].clone()));
		assert!(emitted(Event::ReportCommitted { order_id: ORDER, round: 0, witness: LOCAL }));
		report.violated
	})
}

#[test]
fn the_worker_joins_once_when_drawn() {
	let mut node = node();
	node.execute(|| {
		run_worker_through([OPEN_0]);
		// Another run of the same block, and a concurrent one.
		WitnessPool::offchain_worker(OPEN_0);
		WitnessPool::offchain_worker(OPEN_0);
	});
	let calls = node.take_calls();
	assert_eq!(calls.len(), 1, "exactly one join");
	let JoinItem { order_id, round: 0, vrf_signature, .. } = only_join(&calls[0]) else {
		panic!("not round 0: {:?}", calls[0]);
	};
	assert_eq!(order_id, ORDER);
	node.execute(|| {
		// The signature is the one the worker keeps for clients.
		let key = WitnessPool::join_signature_key(ORDER, 0, &LOCAL);
		let stored = sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, &key);
		assert_eq!(stored, Some(vrf_signature.encode()));
		assert_ok!(apply(calls[0].clone()));
		assert_eq!(members(ORDER, 0), vec![LOCAL]);
		// A member does not join again, and after the window nobody submits.
		run_worker_through([OPEN_0 + 1, JOIN_END_0]);
	});
	assert!(node.take_calls().is_empty());
	node.check();
}

#[test]
fn the_worker_joins_only_the_rounds_it_is_drawn_for() {
	let mut node = Node::new(ExtBuilder::default().with_witnesses(1..=9));
	let mut drawn = Vec::new();
	node.execute(|| {
		MaxStepsPerBlock::set(32);
		keystore_key(LOCAL);
		for order_id in 0..16u64 {
			monitor(order_id, 1, 1);
		}
		run_worker_through([OPEN_0]);
		for order_id in 0..16u64 {
			let record = round(order_id, 0);
			// 9 active witnesses, committee 1: about 2 in 9 are drawn.
			assert_eq!(record.threshold, u128::MAX / 9 * 2);
			if output(LOCAL, order_id, 0) < record.threshold {
				drawn.push(order_id);
			}
		}
	});
	assert!(!drawn.is_empty() && drawn.len() < 16, "both cases among 16 rounds");
	let calls = node.take_calls();
	assert_eq!(calls.len(), 1, "one batch carries every join");
	let joins = batch_of(&calls[0]);
	assert!(joins.commits.is_empty() && joins.reveals.is_empty());
	let mut joined: Vec<OrderId> = joins.joins.iter().map(|item| item.order_id).collect();
	joined.sort();
	assert_eq!(joined, drawn);
	node.execute(|| {
		for call in calls {
			assert_ok!(apply(call));
		}
	});
	node.check();
}

#[test]
fn the_worker_probes_at_its_scheduled_blocks() {
	let (offchain, state) = TestOffchainExt::new();
	let challenge_seed = [5u8; 32];
	state.write().seed = challenge_seed;
	let mut node = Node::with_test_offchain(ExtBuilder::default().with_witnesses(1..=3), offchain);
	node.execute(|| {
		keystore_key(LOCAL);
		monitor(ORDER, 3, 1);
	});
	joined(&mut node);
	node.execute(|| {
		let blocks = probe_blocks();
		// Three distinct blocks in the probe window, derived from the VRF pre-output of the
		// witness key over the schedule seed (known to the witness only).
		assert_eq!(blocks.len(), 3);
		assert!(blocks.iter().all(|b| (13..20).contains(b)));
		let schedule_seed = WitnessPool::probe_schedule_seed(&round(ORDER, 0).seed);
		let pre_output = vrf_sign(LOCAL, &schedule_seed).pre_output;
		assert_eq!(blocks, schedule::probe_blocks(&pre_output, 13, 20, 3));

		// Level 0 has 512 MB: 64 × 64 matrices.
		let product =
			multiply(&matrix(&challenge_seed, b'A', 64), &matrix(&challenge_seed, b'B', 64), 64);
		let body = encode_request(&challenge_seed, 64, ORDER);
		for n in JOIN_END_0..PERIOD_END_0 {
			let block = u32::try_from(n).unwrap();
			if blocks.contains(&block) {
				state.write().expect_request(PendingRequest {
					method: "GET".into(),
					uri: health_url(),
					headers: vec![("Connection".into(), "close".into())],
					sent: true,
					response: Some(b"ok".to_vec()),
					..Default::default()
				});
				if block == blocks[0] {
					state.write().expect_request(PendingRequest {
						method: "POST".into(),
						uri: challenge_url(),
						headers: vec![
							("Content-Type".into(), "application/json".into()),
							("Accept".into(), "application/octet-stream".into()),
							("Content-Length".into(), body.len().to_string()),
							("Connection".into(), "close".into()),
						],
						body: body.clone(),
						sent: true,
						response: Some(encode_product(&product)),
						..Default::default()
					});
				}
			}
			// An unexpected request panics (no response); a missing one panics at the end.
			run_worker_through([n]);
			WitnessPool::offchain_worker(n);
		}
		let log = WitnessPool::probe_log(ORDER, 0, &LOCAL);
		assert_eq!(log, blocks.iter().map(|b| (*b, Some(Passed))).collect::<Vec<_>>());
	});
	node.check();
}

#[test]
fn healthy_probes_commit_a_clean_report() {
	let mut node = node();
	joined(&mut node);
	probe_all(&mut node);
	node.execute(|| {
		let log = WitnessPool::probe_log(ORDER, 0, &LOCAL);
		assert_eq!(log, probe_blocks().iter().map(|b| (*b, Some(Passed))).collect::<Vec<_>>());
	});
	// One challenge at the first probe, a health check at every probe.
	let requests = node.provider.requests();
	let get = ("GET".to_string(), health_url());
	let post = ("POST".to_string(), challenge_url());
	assert_eq!(requests, vec![get.clone(), post, get.clone(), get]);
	assert!(!commit_at_period_end(&mut node));
	node.check();
}

#[test]
fn failing_health_probes_commit_a_violation() {
	let mut node = node();
	joined(&mut node);
	node.provider.set_health(503);
	probe_all(&mut node);
	node.execute(|| {
		let outcomes = WitnessPool::probe_log(ORDER, 0, &LOCAL);
		assert_eq!(outcomes.len(), 3);
		assert!(outcomes.iter().all(|(_, o)| *o == Some(Failed(ProbeFailure::Status(503)))));
	});
	// A failed health check skips the challenge.
	assert!(node.provider.requests().iter().all(|(method, _)| method == "GET"));
	assert!(commit_at_period_end(&mut node));
	node.check();
}

#[test]
fn a_wrong_challenge_answer_fails_the_first_probe() {
	let mut node = node();
	joined(&mut node);
	node.provider.set_challenge(ChallengeAnswer::Wrong);
	probe_all(&mut node);
	node.execute(|| {
		let outcomes: Vec<_> =
			WitnessPool::probe_log(ORDER, 0, &LOCAL).into_iter().map(|(_, o)| o).collect();
		assert_eq!(
			outcomes,
			vec![Some(Failed(ProbeFailure::WrongProduct)), Some(Passed), Some(Passed)]
		);
	});
	// One failed probe of three is no majority.
	assert!(!commit_at_period_end(&mut node));
	node.check();
}

#[test]
fn a_refused_challenge_fails_the_first_probe() {
	let mut node = node();
	joined(&mut node);
	node.provider.set_challenge(ChallengeAnswer::Status(500));
	probe_all(&mut node);
	node.execute(|| {
		let outcomes: Vec<_> =
			WitnessPool::probe_log(ORDER, 0, &LOCAL).into_iter().map(|(_, o)| o).collect();
		assert_eq!(
			outcomes,
			vec![Some(Failed(ProbeFailure::Status(500))), Some(Passed), Some(Passed)]
		);
	});
	assert!(!commit_at_period_end(&mut node));
	node.check();
}

#[test]
fn a_wrong_challenge_answer_alone_is_a_violation() {
	let mut node = node();
	joined(&mut node);
	node.provider.set_challenge(ChallengeAnswer::Wrong);
	// The node is down at every scheduled block but the first: missed probes do not count.
	node.execute(|| {
		let first = probe_blocks()[0];
		run_worker_through([BlockNumber::from(first)]);
		run_to_block(PERIOD_END_0 - 1);
		assert_eq!(
			WitnessPool::probe_log(ORDER, 0, &LOCAL),
			vec![(first, Some(Failed(ProbeFailure::WrongProduct)))]
		);
	});
	assert!(commit_at_period_end(&mut node));
	node.check();
}

#[test]
fn a_missing_endpoint_fails_every_probe() {
	let mut node = node();
	joined(&mut node);
	node.execute(|| set_endpoint(PROVIDER, None));
	probe_all(&mut node);
	node.execute(|| {
		let outcomes = WitnessPool::probe_log(ORDER, 0, &LOCAL);
		assert_eq!(outcomes.len(), 3);
		assert!(outcomes.iter().all(|(_, o)| *o == Some(Failed(ProbeFailure::Unreachable))));
	});
	assert!(node.provider.requests().is_empty());
	assert!(commit_at_period_end(&mut node));
	node.check();
}

#[test]
fn a_missing_level_fails_the_challenge_probe() {
	let mut node = node();
	joined(&mut node);
	node.execute(|| set_level_memory(0, None));
	probe_all(&mut node);
	node.execute(|| {
		let outcomes: Vec<_> =
			WitnessPool::probe_log(ORDER, 0, &LOCAL).into_iter().map(|(_, o)| o).collect();
		assert_eq!(
			outcomes,
			vec![Some(Failed(ProbeFailure::Unreachable)), Some(Passed), Some(Passed)]
		);
	});
	assert!(node.provider.requests().iter().all(|(method, _)| method == "GET"));
	assert!(!commit_at_period_end(&mut node));
	node.check();
}

#[test]
fn no_probes_make_a_clean_report() {
	let mut node = node();
	joined(&mut node);
	// The node was down for the whole probe window.
	node.execute(|| run_to_block(PERIOD_END_0 - 1));
	assert!(!commit_at_period_end(&mut node));
	assert!(node.provider.requests().is_empty());
	node.check();
}

#[test]
fn a_run_out_of_time_still_commits_and_leaves_joins_and_probes_to_later_runs() {
	use defaas_primitives::worker_stats::{WorkerStats, WORKER_STATS_KEY};
	let stats = || {
		sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, WORKER_STATS_KEY)
			.map(|bytes| WorkerStats::decode(&mut &bytes[..]).expect("worker stats"))
			.unwrap_or_default()
	};
	let mut node = node();
	// No time left for the join: nothing goes out, the join is deferred.
	node.execute(|| {
		WorkerBudgetMs::set(0);
		run_worker_through([OPEN_0]);
		assert_eq!((stats().deferred, stats().vrf_evaluations), (1, 0));
	});
	assert!(node.take_calls().is_empty());
	// The next run has time: it joins.
	node.execute(|| WorkerBudgetMs::set(1_000));
	joined(&mut node);
	// No time at any of the scheduled probe blocks: no probe is made.
	node.execute(|| {
		WorkerBudgetMs::set(0);
		run_worker_through(JOIN_END_0..PERIOD_END_0);
		assert_eq!(stats().probes, 0);
		assert!(stats().deferred > 1);
	});
	assert!(node.take_calls().is_empty());
	assert!(node.provider.requests().is_empty());
	// Commits are not budgeted: it commits (a clean report: no probes were counted).
	assert!(!commit_at_period_end(&mut node));
	node.check();
}

#[test]
fn the_salt_is_stored_before_the_commit_and_kept() {
	let mut node = node();
	joined(&mut node);
	node.execute(|| {
		run_to_block(PERIOD_END_0 - 1);
		// A run stored the report and died before submitting: its salt is the one committed.
		let stored =
			PendingReport { violated: true, salt: [9; 32], committed_at: None, revealed: false };
		assert!(salts::store_pending_report(&report_key(), &stored));
	});
	assert!(commit_at_period_end(&mut node));
	node.execute(|| {
		let report = salts::load(&report_key()).expect("kept");
		assert_eq!((report.violated, report.salt), (true, [9; 32]));
		assert_eq!(report.committed_at, Some(u32::try_from(PERIOD_END_0).unwrap()));
	});
	node.check();
}

#[test]
fn the_worker_reveals_with_the_stored_salt_after_a_restart() {
	let mut node = node();
	joined(&mut node);
	probe_all(&mut node);
	assert!(!commit_at_period_end(&mut node));
	let salt = node.execute(|| salts::load(&report_key()).expect("stored").salt);

	node.restart();
	node.execute(|| run_worker_through(PERIOD_END_0 + 1..COMMIT_END_0 - 1));
	assert!(node.take_calls().is_empty(), "committed: nothing to do until the reveal window");
	// The reveal can enter the block `commit_end`, so the run of the block before submits it.
	node.execute(|| run_worker_through([COMMIT_END_0 - 1]));
	let calls = node.take_calls();
	assert_eq!(calls.len(), 1);
	let RevealItem { violated: false, salt: revealed, .. } = only_reveal(&calls[0]) else {
		panic!("not a clean reveal: {:?}", calls[0]);
	};
	assert_eq!(revealed, salt);
	node.execute(|| {
		run_to_block(COMMIT_END_0);
		assert_ok!(apply(calls[0].clone()));
		assert!(emitted(Event::ReportRevealed {
			order_id: ORDER,
			round: 0,
			witness: LOCAL,
			violated: false
		}));
		// Once the reveal is on chain the worker forgets the round.
		run_worker_through([COMMIT_END_0 + 1]);
		let key = report_key();
		for storage_key in [
			key.storage_key(),
			key.claim_key(),
			WitnessPool::probe_log_key(ORDER, 0, &LOCAL),
			WitnessPool::join_signature_key(ORDER, 0, &LOCAL),
		] {
			assert_eq!(
				sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, &storage_key),
				None
			);
		}
		run_to_block(REVEAL_END_0);
		assert_eq!(settled_reveals(), Some(1), "the worker's reveal counted");
	});
	assert!(node.take_calls().is_empty());
	node.check();
}

#[test]
fn repeated_runs_never_submit_twice() {
	let mut node = node();
	let mut pending: Vec<crate::Call<Test>> = Vec::new();
	let mut submitted = Vec::new();
	for n in OPEN_0..REVEAL_END_0 {
		// What the worker submitted in block n − 1 enters block n.
		let calls = std::mem::take(&mut pending);
		node.execute(|| {
			run_to_block(n);
			for call in calls {
				assert_ok!(apply(call));
			}
			// Two runs per block, as after a re-org or with a slow previous run.
			WitnessPool::offchain_worker(n);
			WitnessPool::offchain_worker(n);
		});
		pending = node.take_calls();
		submitted.extend(pending.iter().map(|call| (n, call_name(call))));
	}
	assert_eq!(
		submitted,
		vec![(OPEN_0, "join"), (PERIOD_END_0, "commit"), (COMMIT_END_0 - 1, "reveal")]
	);
	node.execute(|| {
		let record = round(ORDER, 0);
		let member = record.members.iter().find(|m| m.witness == LOCAL).expect("a member");
		assert_eq!(member.revealed, Some(false));
	});
	node.check();
}

#[test]
fn a_commit_waits_for_the_end_of_its_window_and_a_lost_one_is_submitted_again() {
	// A commit window longer than the submit margin and the claim retry.
	let timings = WitnessTimings { join_window: 2, commit_window: 12, reveal_window: 3 };
	let mut node = Node::new(ExtBuilder::default().with_witnesses(1..=3).with_timings(timings));
	node.execute(|| {
		keystore_key(LOCAL);
		assert_ok!(start(&LeaseInfo { period_length: 20, ..lease_info(ORDER, 3, 1) }));
		run_to_block(OPEN_0);
		assert_ok!(join(LOCAL, ORDER, 0));
		run_to_block(29);
	});
	// The commit is due from the end of the period (30) until 42; the worker holds it (for
	// more items to share its batch) until the window ends within `SUBMIT_MARGIN` blocks of
	// the next block: from 31 on.
	let (period_end, commit_end): (BlockNumber, BlockNumber) = (30, 42);
	let urgent = commit_end - 1 - BlockNumber::from(SUBMIT_MARGIN);
	assert_eq!(urgent, 31);
	node.execute(|| run_worker_through(period_end..urgent));
	assert!(node.take_calls().is_empty(), "held back: the window is long");
	node.execute(|| {
		let report = salts::load(&report_key()).expect("the report is stored when first due");
		assert_eq!(report.committed_at, None);
		run_worker_through([urgent]);
	});
	let first = node.take_calls();
	assert_eq!(first.len(), 1, "the commit (lost: never applied)");
	let retry = urgent + BlockNumber::from(CLAIM_RETRY_BLOCKS);
	node.execute(|| run_worker_through(urgent + 1..retry));
	assert!(node.take_calls().is_empty(), "claimed: no resubmission before the retry");
	node.execute(|| run_worker_through([retry]));
	let second = node.take_calls();
	let commitment = |calls: &[crate::Call<Test>]| match calls {
		[call] => only_commit(call).commitment,
		other => panic!("not one commit: {other:?}"),
	};
	assert_eq!(commitment(&second), commitment(&first), "the same stored salt again");
	node.execute(|| {
		assert_ok!(apply(second[0].clone()));
	});
	node.check();
}

#[test]
fn a_lost_reveal_is_submitted_again_inside_the_reveal_window() {
	let mut node = node();
	joined(&mut node);
	probe_all(&mut node);
	assert!(!commit_at_period_end(&mut node));
	node.execute(|| run_worker_through(PERIOD_END_0 + 1..COMMIT_END_0));
	let first = node.take_calls();
	assert_eq!(first.len(), 1, "the reveal (lost: never applied)");
	let retry = COMMIT_END_0 - 1 + BlockNumber::from(CLAIM_RETRY_BLOCKS);
	assert!(retry < REVEAL_END_0, "the retry fits the reveal window");
	node.execute(|| run_worker_through(COMMIT_END_0..retry));
	assert!(node.take_calls().is_empty(), "claimed: no resubmission before the retry");
	node.execute(|| run_worker_through([retry]));
	let second = node.take_calls();
	let opened = |calls: &[crate::Call<Test>]| match calls {
		[call @ crate::Call::worker_batch { signature, .. }] => {
			let item = only_reveal(call);
			(item.violated, item.salt, *signature)
		},
		other => panic!("not one reveal: {other:?}"),
	};
	let (first, second_call) = (opened(&first), opened(&second));
	assert_eq!((first.0, first.1), (second_call.0, second_call.1), "the same stored report");
	assert_ne!(first.2, second_call.2, "signed anew: not the same extrinsic as the lost one");
	node.execute(|| {
		run_to_block(retry + 1);
		assert_ok!(apply(second[0].clone()));
		run_to_block(REVEAL_END_0);
		assert_eq!(settled_reveals(), Some(1), "the worker's reveal counted");
	});
	node.check();
}

/// The batch of a worker call of [`LOCAL`].
fn batch_of(call: &crate::Call<Test>) -> WorkerBatch {
	match call {
		crate::Call::worker_batch { witness: LOCAL, batch, .. } => batch.clone(),
		other => panic!("not a worker batch of the local witness: {other:?}"),
	}
}

/// The only item of a batch of one join.
fn only_join(call: &crate::Call<Test>) -> JoinItem {
	match batch_of(call) {
		WorkerBatch { joins, commits, reveals } if commits.is_empty() && reveals.is_empty() => {
			match &joins[..] {
				[item] => item.clone(),
				other => panic!("not one join: {other:?}"),
			}
		},
		other => panic!("not a batch of one join: {other:?}"),
	}
}

/// The only item of a batch of one commit.
fn only_commit(call: &crate::Call<Test>) -> CommitItem {
	match batch_of(call) {
		WorkerBatch { joins, commits, reveals } if joins.is_empty() && reveals.is_empty() => {
			match &commits[..] {
				[item] => item.clone(),
				other => panic!("not one commit: {other:?}"),
			}
		},
		other => panic!("not a batch of one commit: {other:?}"),
	}
}

/// The only item of a batch of one reveal.
fn only_reveal(call: &crate::Call<Test>) -> RevealItem {
	match batch_of(call) {
		WorkerBatch { joins, commits, reveals } if joins.is_empty() && commits.is_empty() => {
			match &reveals[..] {
				[item] => item.clone(),
				other => panic!("not one reveal: {other:?}"),
			}
		},
		other => panic!("not a batch of one reveal: {other:?}"),
	}
}

/// A short name of a worker batch: the kinds it carries.
fn call_name(call: &crate::Call<Test>) -> &'static str {
	let batch = batch_of(call);
	match (batch.joins.is_empty(), batch.commits.is_empty(), batch.reveals.is_empty()) {
		(false, true, true) => "join",
		(true, false, true) => "commit",
		(true, true, false) => "reveal",
		_ => "mixed",
	}
}

/// Where the customer of [`ORDER`] published its package (on the fake provider's host: the
/// fake network reaches only that one).
fn package_url() -> String {
	format!("{PROVIDER_ENDPOINT}/packages/hello.wasm")
}

/// A component-looking package.
fn package() -> Vec<u8> {
	let mut bytes = defaas_offchain_workers::probe::COMPONENT_HEADER.to_vec();
	bytes.extend((0..40_000u32).map(|i| (i % 251) as u8));
	bytes
}

/// A node whose witness LOCAL sits in the committee of a deployment dispute's check of the
/// package hashing to `package_hash`.
fn dispute_node(package_hash: [u8; 32]) -> Node {
	let mut node = Node::new(ExtBuilder::default().with_witnesses(1..=3));
	node.execute(|| {
		keystore_key(LOCAL);
		let url = package_url().into_bytes().try_into().expect("short");
		let check = PackageCheck { url, package_hash, max_bytes: 1 << 20 };
		assert_ok!(start(&LeaseInfo {
			target: MonitorTarget::Package(check),
			..lease_info(ORDER, 3, 1)
		}));
	});
	node
}

#[test]
fn a_dispute_member_fetches_the_published_package_once_and_finds_it_right() {
	let package = package();
	let mut node = dispute_node(sp_io::hashing::blake2_256(&package));
	node.provider.serve_file(&package_url(), package);
	joined(&mut node);
	probe_all(&mut node);
	node.execute(|| {
		// One check at the first scheduled block; the later ones download nothing.
		let first = probe_blocks()[0];
		assert_eq!(WitnessPool::probe_log(ORDER, 0, &LOCAL), vec![(first, Some(Passed))]);
	});
	assert_eq!(node.provider.requests(), vec![("GET".to_string(), package_url())]);
	assert!(!commit_at_period_end(&mut node), "the package is right: no violation");
	node.check();
}

#[test]
fn a_dispute_member_reports_a_wrong_or_missing_package_as_violated() {
	// Other bytes than committed.
	let mut node = dispute_node([7u8; 32]);
	node.provider.serve_file(&package_url(), package());
	joined(&mut node);
	probe_all(&mut node);
	node.execute(|| {
		let outcomes: Vec<_> =
			WitnessPool::probe_log(ORDER, 0, &LOCAL).into_iter().map(|(_, o)| o).collect();
		assert_eq!(outcomes, vec![Some(Failed(ProbeFailure::HashMismatch))]);
	});
	assert!(commit_at_period_end(&mut node));
	node.check();
	// Nothing published at the URL.
	let mut node = dispute_node([7u8; 32]);
	joined(&mut node);
	probe_all(&mut node);
	node.execute(|| {
		let outcomes: Vec<_> =
			WitnessPool::probe_log(ORDER, 0, &LOCAL).into_iter().map(|(_, o)| o).collect();
		assert_eq!(outcomes, vec![Some(Failed(ProbeFailure::Status(404)))]);
	});
	assert!(commit_at_period_end(&mut node));
	node.check();
}
