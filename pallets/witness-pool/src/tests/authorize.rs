//! Authorization of the off-chain worker's `worker_batch`: valid transactions, their tags and
//! lifetimes, every rejection, and the dispatch of batches whose items partly lapsed.

use super::*;
use crate::Call;
use codec::Encode;
use frame_support::{
	dispatch::GetDispatchInfo,
	pallet_prelude::{
		InvalidTransaction, TransactionSource, TransactionValidityError, ValidTransaction,
	},
	traits::Authorize,
};
use frame_system::RawOrigin;
use sp_core::{sr25519, Pair};

/// What the pool makes of `call`.
fn validity(call: &Call<Test>) -> Result<ValidTransaction, TransactionValidityError> {
	call.authorize(TransactionSource::External).expect("an authorized call").map(|(v, _)| v)
}

/// The rejection `error`.
fn rejected(error: InvalidTransaction) -> Result<ValidTransaction, TransactionValidityError> {
	Err(error.into())
}

/// The tag a worker transaction of `witness` provides.
fn tag(phase: &[u8], witness: AccountId) -> Vec<u8> {
	("WitnessPool", (phase, ORDER, 0u32, witness)).encode()
}

/// `signer`'s signature of `payload` with its registered key.
fn sign(signer: AccountId, payload: &[u8]) -> sr25519::Signature {
	vrf_pair(signer).sign(payload)
}

/// `worker_batch` of `batch` for `witness`, signed by `signer`.
fn batch_call(witness: AccountId, batch: WorkerBatch, signer: AccountId) -> Call<Test> {
	let signature = sign(signer, &WitnessPool::worker_batch_payload(&witness, &batch));
	Call::worker_batch { witness, batch, signature }
}

/// A batch of `joins`, `commits` and `reveals`.
fn batch_of(
	joins: Vec<JoinItem>,
	commits: Vec<CommitItem>,
	reveals: Vec<RevealItem>,
) -> WorkerBatch {
	WorkerBatch {
		joins: joins.try_into().expect("few joins"),
		commits: commits.try_into().expect("few commits"),
		reveals: reveals.try_into().expect("few reveals"),
	}
}

/// A join in round 0 of `order_id` claiming the output `vrf_signature` proves (0 if none).
fn join_item(order_id: OrderId, vrf_signature: VrfSignature) -> JoinItem {
	let output = Rounds::<Test>::get(order_id, 0)
		.and_then(|record| {
			Witnesses::<Test>::iter()
				.find_map(|(_, w)| vrf::verify(&w.vrf_key, &record.seed, &vrf_signature))
		})
		.unwrap_or_default();
	JoinItem { order_id, round: 0, vrf_signature, output }
}

fn commit_item(order_id: OrderId, commitment: [u8; 32]) -> CommitItem {
	CommitItem { order_id, round: 0, commitment }
}

fn reveal_item(order_id: OrderId, violated: bool, salt: [u8; 32]) -> RevealItem {
	RevealItem { order_id, round: 0, violated, salt }
}

/// A batch of `witness`'s join in round 0 of [`ORDER`].
fn join_call(witness: AccountId, vrf_signature: VrfSignature) -> Call<Test> {
	batch_call(witness, batch_of(vec![join_item(ORDER, vrf_signature)], vec![], vec![]), witness)
}

/// A batch of `witness`'s commit of `commitment` in round 0 of [`ORDER`], signed by `signer`.
fn commit_call(witness: AccountId, commitment: [u8; 32], signer: AccountId) -> Call<Test> {
	batch_call(witness, batch_of(vec![], vec![commit_item(ORDER, commitment)], vec![]), signer)
}

/// A batch of `witness`'s reveal of `(violated, salt)` in round 0 of [`ORDER`], signed by
/// `signer`.
fn reveal_call(
	witness: AccountId,
	violated: bool,
	salt: [u8; 32],
	signer: AccountId,
) -> Call<Test> {
	let batch = batch_of(vec![], vec![], vec![reveal_item(ORDER, violated, salt)]);
	batch_call(witness, batch, signer)
}

#[test]
fn a_drawn_witness_joins_without_signer_or_fee() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		monitor(ORDER, 2, 1);
		run_to_block(OPEN_0);
		let signature = vrf_sign(1, &round(ORDER, 0).seed);
		let call = join_call(1, signature.clone());
		let valid = validity(&call).expect("valid");
		assert_eq!(valid.provides, vec![tag(WORKER_JOIN_TAG, 1)]);
		assert!(valid.requires.is_empty());
		assert_eq!(valid.longevity, JOIN_END_0 - OPEN_0);
		assert_eq!(valid.priority, WORKER_TX_PRIORITY);
		assert!(valid.propagate);
		assert_eq!(call.weight_of_authorize(), WitnessPool::authorize_worker_batch_weight(1, 0, 0));
		assert_eq!(call.get_dispatch_info().call_weight, WitnessPool::worker_batch_weight(1, 0, 0));
		let Call::worker_batch { batch, signature: batch_signature, .. } = call.clone() else {
			unreachable!()
		};

		// Only the authorization process dispatches it.
		for origin in [RuntimeOrigin::signed(1), RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(
				WitnessPool::worker_batch(origin, 1, batch.clone(), batch_signature),
				DispatchError::BadOrigin
			);
		}
		assert_ok!(apply_authorized(call.clone()));
		let _ = signature;
		assert_eq!(
			last_event(),
			Event::CommitteeJoined {
				order_id: ORDER,
				round: 0,
				witness: 1,
				output: output(1, ORDER, 0),
				evicted: None
			}
		);
		// Done: a second join is stale.
		assert_eq!(validity(&call), rejected(InvalidTransaction::Stale));
	});
}

#[test]
fn a_join_needs_the_witness_vrf_proof() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		monitor(ORDER, 2, 2);
		run_to_block(OPEN_0);
		let seed = round(ORDER, 0).seed;
		// Another witness's signature, a signature over another seed, random bytes.
		assert_eq!(
			validity(&join_call(1, vrf_sign(2, &seed))),
			rejected(InvalidTransaction::BadProof)
		);
		assert_eq!(
			validity(&join_call(1, vrf_sign(1, &[0u8; 32]))),
			rejected(InvalidTransaction::BadProof)
		);
		let garbage = VrfSignature { pre_output: [1; 32], proof: [2; 64] };
		assert_eq!(validity(&join_call(1, garbage)), rejected(InvalidTransaction::BadProof));
		// An unregistered account's own VRF proves nothing.
		assert_eq!(
			validity(&join_call(NOBODY, vrf_sign(NOBODY, &seed))),
			rejected(InvalidTransaction::Call)
		);
		assert!(validity(&join_call(1, vrf_sign(1, &seed))).is_ok());
	});
}

#[test]
fn ineligible_witnesses_and_closed_windows_cannot_join() {
	ExtBuilder::default().with_witnesses([1, 2, 3, PROVIDER]).build_and_execute(|| {
		monitor(ORDER, 2, 1);
		run_to_block(OPEN_0 - 1);
		// Registered now: not active when the round opens.
		assert_ok!(WitnessPool::register_witness(RuntimeOrigin::signed(40), STAKE, vrf_key(40)));
		run_to_block(OPEN_0);
		let seed = round(ORDER, 0).seed;
		assert_eq!(
			validity(&join_call(PROVIDER, vrf_sign(PROVIDER, &seed))),
			rejected(InvalidTransaction::Call)
		);
		assert_eq!(
			validity(&join_call(40, vrf_sign(40, &seed))),
			rejected(InvalidTransaction::Call)
		);
		// A round that does not exist (the lease has one period).
		let item =
			JoinItem { order_id: ORDER, round: 1, vrf_signature: vrf_sign(1, &seed), output: 0 };
		let round_1 = batch_call(1, batch_of(vec![item], vec![], vec![]), 1);
		assert_eq!(validity(&round_1), rejected(InvalidTransaction::Stale));
		// After the join window.
		let call = join_call(1, vrf_sign(1, &seed));
		assert!(validity(&call).is_ok());
		run_to_block(JOIN_END_0);
		assert_eq!(validity(&call), rejected(InvalidTransaction::Stale));
	});
}

#[test]
fn outputs_above_the_threshold_or_the_full_committee_cannot_join() {
	ExtBuilder::default().with_witnesses(1..=10).build_and_execute(|| {
		monitor(ORDER, 1, 1);
		run_to_block(OPEN_0);
		let record = round(ORDER, 0);
		assert!(record.threshold < u128::MAX);
		let (below, above): (Vec<AccountId>, Vec<AccountId>) =
			(1..=10).partition(|who| output(*who, ORDER, 0) < record.threshold);
		let above = *above.first().expect("someone is above the threshold");
		assert_eq!(
			validity(&join_call(above, vrf_sign(above, &record.seed))),
			rejected(InvalidTransaction::Call)
		);
		// In a full committee only a lower output is selected.
		let mut below = below;
		below.sort_by_key(|who| output(*who, ORDER, 0));
		if let [lowest, higher, ..] = below[..] {
			assert_ok!(join(lowest, ORDER, 0));
			assert_eq!(
				validity(&join_call(higher, vrf_sign(higher, &record.seed))),
				rejected(InvalidTransaction::Call)
			);
		}
	});
}

#[test]
fn a_member_commits_with_its_key_signature() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		seated(&[1, 2]);
		let commitment = commitment(1, ORDER, 0, false);
		let call = commit_call(1, commitment, 1);
		let valid = validity(&call).expect("valid");
		assert_eq!(valid.provides, vec![tag(WORKER_COMMIT_TAG, 1)]);
		assert_eq!(valid.longevity, COMMIT_END_0 - JOIN_END_0);
		assert_eq!(valid.priority, WORKER_TX_PRIORITY);
		assert_eq!(call.weight_of_authorize(), WitnessPool::authorize_worker_batch_weight(0, 1, 0));

		// Signed by another member's key, or over another commitment.
		assert_eq!(
			validity(&commit_call(1, commitment, 2)),
			rejected(InvalidTransaction::BadProof)
		);
		let Call::worker_batch { signature: other_signature, .. } =
			commit_call(1, commitment_of(1, true), 1)
		else {
			unreachable!()
		};
		let Call::worker_batch { batch, .. } = call.clone() else { unreachable!() };
		let forged = Call::<Test>::worker_batch { witness: 1, batch, signature: other_signature };
		assert_eq!(validity(&forged), rejected(InvalidTransaction::BadProof));
		// Not a member; not a witness.
		assert_eq!(
			validity(&commit_call(3, commitment_of(3, false), 3)),
			rejected(InvalidTransaction::Call)
		);
		assert_eq!(
			validity(&commit_call(NOBODY, commitment_of(NOBODY, false), NOBODY)),
			rejected(InvalidTransaction::Call)
		);

		let Call::worker_batch { batch, signature, .. } = call.clone() else { unreachable!() };
		assert_noop!(
			WitnessPool::worker_batch(RuntimeOrigin::signed(1), 1, batch, signature),
			DispatchError::BadOrigin
		);
		assert_ok!(apply_authorized(call.clone()));
		assert_eq!(last_event(), Event::ReportCommitted { order_id: ORDER, round: 0, witness: 1 });
		// Committed: stale. Copying it: refused.
		assert_eq!(validity(&call), rejected(InvalidTransaction::Stale));
		assert_eq!(validity(&commit_call(2, commitment, 2)), rejected(InvalidTransaction::Call));
		// After the commit window.
		let late = commit_call(2, commitment_of(2, false), 2);
		assert!(validity(&late).is_ok());
		run_to_block(COMMIT_END_0);
		assert_eq!(validity(&late), rejected(InvalidTransaction::Stale));
	});
}

/// `who`'s commitment to `violated` in round 0 of [`ORDER`].
fn commitment_of(who: AccountId, violated: bool) -> [u8; 32] {
	WitnessPool::report_commitment(ORDER, 0, violated, salt(who), &who)
}

#[test]
fn reports_before_their_windows_are_future() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		monitor(ORDER, 2, 1);
		run_to_block(OPEN_0);
		assert_ok!(join(1, ORDER, 0));
		let commit = commit_call(1, commitment_of(1, false), 1);
		let reveal = reveal_call(1, false, salt(1), 1);
		assert_eq!(validity(&commit), rejected(InvalidTransaction::Future));
		assert_eq!(validity(&reveal), rejected(InvalidTransaction::Future));
		run_to_block(JOIN_END_0);
		assert_ok!(apply_authorized(commit));
		assert_eq!(validity(&reveal), rejected(InvalidTransaction::Future));
		run_to_block(COMMIT_END_0);
		assert!(validity(&reveal).is_ok());
	});
}

#[test]
fn a_member_reveals_with_its_key_signature() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		seated(&[1, 2, 3]);
		assert_ok!(commit(1, ORDER, 0, true));
		assert_ok!(commit(3, ORDER, 0, false));
		run_to_block(COMMIT_END_0);
		let call = reveal_call(1, true, salt(1), 1);
		let valid = validity(&call).expect("valid");
		assert_eq!(valid.provides, vec![tag(WORKER_REVEAL_TAG, 1)]);
		assert_eq!(valid.longevity, REVEAL_END_0 - COMMIT_END_0);
		assert_eq!(call.weight_of_authorize(), WitnessPool::authorize_worker_batch_weight(0, 0, 1));

		// Another key; another salt or report (properly signed): they do not open the
		// commitment.
		assert_eq!(
			validity(&reveal_call(1, true, salt(1), 2)),
			rejected(InvalidTransaction::BadProof)
		);
		assert_eq!(
			validity(&reveal_call(1, true, [0; 32], 1)),
			rejected(InvalidTransaction::BadProof)
		);
		assert_eq!(
			validity(&reveal_call(1, false, salt(1), 1)),
			rejected(InvalidTransaction::BadProof)
		);
		// Member 2 did not commit; 40 is nobody's member.
		assert_eq!(validity(&reveal_call(2, true, salt(2), 2)), rejected(InvalidTransaction::Call));
		assert_eq!(
			validity(&reveal_call(40, true, salt(40), 40)),
			rejected(InvalidTransaction::Call)
		);

		assert_ok!(apply_authorized(call.clone()));
		assert_eq!(
			last_event(),
			Event::ReportRevealed { order_id: ORDER, round: 0, witness: 1, violated: true }
		);
		assert_eq!(validity(&call), rejected(InvalidTransaction::Stale));
		// After the reveal window (the round settled and, as the lease's last, was dropped).
		let late = reveal_call(3, false, salt(3), 3);
		assert!(validity(&late).is_ok());
		run_to_block(REVEAL_END_0);
		assert_eq!(validity(&late), rejected(InvalidTransaction::Stale));
	});
}

#[test]
fn the_pool_keeps_one_transaction_per_witness_phase_and_round() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		seated(&[1, 2]);
		let provides = |call: &Call<Test>| validity(call).expect("valid").provides;
		// Two different commits of member 1 compete for one tag ...
		let clean = provides(&commit_call(1, commitment_of(1, false), 1));
		let violated = provides(&commit_call(1, commitment_of(1, true), 1));
		assert_eq!(clean, violated);
		// ... member 2's is another, and so is member 1's reveal or join tag.
		assert_ne!(clean, provides(&commit_call(2, commitment_of(2, false), 2)));
		assert_ne!(clean[0], tag(WORKER_REVEAL_TAG, 1));
		assert_ne!(clean[0], tag(WORKER_JOIN_TAG, 1));
	});
}

#[test]
fn a_batch_carries_a_witness_s_joins_commits_and_reveals_of_several_rounds() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		// Three leases whose rounds 0 open at blocks 11, 15 and 23: at block 23 witness 1
		// can reveal in the first, commit in the second and join the third.
		let (first, second, third) = (ORDER, ORDER + 1, ORDER + 2);
		monitor(first, 3, 1);
		run_to_block(OPEN_0);
		for who in [1, 2, 3] {
			assert_ok!(join(who, first, 0));
		}
		run_to_block(14);
		monitor(second, 3, 1);
		run_to_block(15);
		for who in [1, 2, 3] {
			assert_ok!(join(who, second, 0));
		}
		run_to_block(17);
		assert_ok!(commit(1, first, 0, true));
		run_to_block(22);
		monitor(third, 3, 1);
		let now = 23;
		run_to_block(now);
		assert_eq!(round(first, 0).commit_end, now);
		let second_record = round(second, 0);
		assert!(second_record.phase == RoundPhase::Reporting && now < second_record.commit_end);
		let third_record = round(third, 0);
		assert!(third_record.join_end > now);

		let batch = batch_of(
			vec![join_item(third, vrf_sign(1, &third_record.seed))],
			vec![commit_item(second, commitment(1, second, 0, false))],
			vec![reveal_item(first, true, salt(1))],
		);
		let call = batch_call(1, batch.clone(), 1);
		let valid = validity(&call).expect("valid");
		let tag_of =
			|kind: &[u8], order_id: OrderId| ("WitnessPool", (kind, order_id, 0u32, 1u64)).encode();
		assert_eq!(
			valid.provides,
			vec![
				tag_of(WORKER_JOIN_TAG, third),
				tag_of(WORKER_COMMIT_TAG, second),
				tag_of(WORKER_REVEAL_TAG, first)
			]
		);
		// It lives until the last of its windows closes (an item whose window closed before
		// is skipped, the others still apply).
		let last_end = [third_record.join_end, second_record.commit_end, REVEAL_END_0]
			.into_iter()
			.max()
			.expect("three windows");
		assert!(
			last_end
				> [third_record.join_end, second_record.commit_end, REVEAL_END_0]
					.into_iter()
					.min()
					.expect("three windows")
		);
		assert_eq!(valid.longevity, last_end - now);
		assert_eq!(call.weight_of_authorize(), WitnessPool::authorize_worker_batch_weight(1, 1, 1));

		assert_ok!(apply_authorized(call));
		assert!(members(third, 0).contains(&1));
		let second_after = round(second, 0);
		let member = second_after.members.iter().find(|m| m.witness == 1).expect("member");
		assert_eq!(member.commitment, Some(commitment(1, second, 0, false)));
		let first_after = round(first, 0);
		let member = first_after.members.iter().find(|m| m.witness == 1).expect("member");
		assert_eq!(member.revealed, Some(true));
		assert!(!System::events().iter().any(|record| matches!(
			record.event,
			RuntimeEvent::WitnessPool(Event::WorkerItemSkipped { .. })
		)));
	});
}

#[test]
fn a_batch_is_valid_for_its_items_still_accepted_and_the_block_skips_the_rest() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		seated(&[1, 2]);
		// Member 1 committed already; its batch repeats the commit and adds member 1's join
		// of another round that is still open.
		assert_ok!(commit(1, ORDER, 0, false));
		let other = ORDER + 1;
		monitor(other, 3, 1);
		run_to_block(JOIN_END_0 + 1);
		let seed = round(other, 0).seed;
		let batch = batch_of(
			vec![join_item(other, vrf_sign(1, &seed))],
			vec![commit_item(ORDER, commitment_of(1, true))],
			vec![],
		);
		let call = batch_call(1, batch, 1);
		let valid = validity(&call).expect("valid: the join is accepted");
		assert_eq!(
			valid.provides,
			vec![("WitnessPool", (WORKER_JOIN_TAG, other, 0u32, 1u64)).encode()]
		);
		assert_ok!(apply_authorized(call.clone()));
		assert!(members(other, 0).contains(&1));
		assert!(emitted(Event::WorkerItemSkipped {
			witness: 1,
			order_id: ORDER,
			round: 0,
			kind: WorkerItemKind::Commit,
			error: Error::<Test>::AlreadyCommitted.into(),
		}));
		// Nothing left to do: the first item's reason.
		assert_eq!(validity(&call), rejected(InvalidTransaction::Stale));
	});
}

#[test]
fn one_bad_proof_refutes_the_whole_batch() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		seated(&[1, 2]);
		let good = commit_item(ORDER, commitment_of(1, false));
		let other = ORDER + 1;
		monitor(other, 3, 1);
		run_to_block(JOIN_END_0 + 1);
		// Witness 2's VRF signature in witness 1's batch: even beside a valid commit.
		let stolen = join_item(other, vrf_sign(2, &round(other, 0).seed));
		let call = batch_call(1, batch_of(vec![stolen], vec![good.clone()], vec![]), 1);
		assert_eq!(validity(&call), rejected(InvalidTransaction::BadProof));
		// Its own signature with an output it does not prove.
		let own = join_item(other, vrf_sign(1, &round(other, 0).seed));
		let inflated = JoinItem { output: own.output.wrapping_sub(1), ..own.clone() };
		let call = batch_call(1, batch_of(vec![inflated], vec![good.clone()], vec![]), 1);
		assert_eq!(validity(&call), rejected(InvalidTransaction::BadProof));
		assert!(
			validity(&batch_call(1, batch_of(vec![own], vec![good.clone()], vec![]), 1)).is_ok()
		);
		// An empty batch, and a round twice among the commits, are refused outright.
		assert_eq!(
			validity(&batch_call(1, WorkerBatch::default(), 1)),
			rejected(InvalidTransaction::Call)
		);
		let twice = batch_of(vec![], vec![good.clone(), good], vec![]);
		assert_eq!(validity(&batch_call(1, twice, 1)), rejected(InvalidTransaction::Call));
	});
}

/// Authorize `call` and dispatch it with the `Authorized` origin.
fn apply_authorized(call: Call<Test>) -> DispatchResult {
	use sp_runtime::traits::Dispatchable;
	validity(&call).map_err(|_| DispatchError::Other("not authorized"))?;
	RuntimeCall::WitnessPool(call)
		.dispatch(RawOrigin::Authorized.into())
		.map(drop)
		.map_err(|e| e.error)
}
