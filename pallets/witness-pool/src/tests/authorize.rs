//! Authorization of the off-chain worker's calls (`worker_join`, `worker_commit`,
//! `worker_reveal`): valid transactions, their tags and lifetimes, and every rejection.

use super::*;
use crate::{weights::WeightInfo, Call};
use codec::Encode;
use frame_support::{
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

/// `worker_join` of `witness` in round 0.
fn join_call(witness: AccountId, vrf_signature: VrfSignature) -> Call<Test> {
	Call::worker_join { order_id: ORDER, round: 0, witness, vrf_signature }
}

/// `signer`'s signature of `payload` with its registered key.
fn sign(signer: AccountId, payload: &[u8]) -> sr25519::Signature {
	vrf_pair(signer).sign(payload)
}

/// `worker_commit` of `commitment` for `witness` in round 0, signed by `signer`.
fn commit_call(witness: AccountId, commitment: [u8; 32], signer: AccountId) -> Call<Test> {
	let payload = WitnessPool::worker_commit_payload(ORDER, 0, &commitment);
	Call::worker_commit {
		order_id: ORDER,
		round: 0,
		witness,
		commitment,
		signature: sign(signer, &payload),
	}
}

/// `worker_reveal` of `(violated, salt)` for `witness` in round 0, signed by `signer`.
fn reveal_call(
	witness: AccountId,
	violated: bool,
	salt: [u8; 32],
	signer: AccountId,
) -> Call<Test> {
	let payload = WitnessPool::worker_reveal_payload(ORDER, 0, violated, &salt);
	Call::worker_reveal {
		order_id: ORDER,
		round: 0,
		witness,
		violated,
		salt,
		signature: sign(signer, &payload),
	}
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
		assert_eq!(call.weight_of_authorize(), <() as WeightInfo>::authorize_worker_join());

		// Only the authorization process dispatches it.
		for origin in [RuntimeOrigin::signed(1), RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(
				WitnessPool::worker_join(origin, ORDER, 0, 1, signature.clone()),
				DispatchError::BadOrigin
			);
		}
		assert_ok!(WitnessPool::worker_join(RawOrigin::Authorized.into(), ORDER, 0, 1, signature));
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
		let round_1 = Call::<Test>::worker_join {
			order_id: ORDER,
			round: 1,
			witness: 1,
			vrf_signature: vrf_sign(1, &seed),
		};
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
		assert_eq!(call.weight_of_authorize(), <() as WeightInfo>::authorize_worker_commit());

		// Signed by another member's key, or over another commitment.
		assert_eq!(
			validity(&commit_call(1, commitment, 2)),
			rejected(InvalidTransaction::BadProof)
		);
		let other = commitment_of(1, true);
		let payload = WitnessPool::worker_commit_payload(ORDER, 0, &other);
		let forged = Call::<Test>::worker_commit {
			order_id: ORDER,
			round: 0,
			witness: 1,
			commitment,
			signature: sign(1, &payload),
		};
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

		let Call::worker_commit { signature, .. } = call.clone() else { unreachable!() };
		assert_noop!(
			WitnessPool::worker_commit(
				RuntimeOrigin::signed(1),
				ORDER,
				0,
				1,
				commitment,
				signature
			),
			DispatchError::BadOrigin
		);
		assert_ok!(WitnessPool::worker_commit(
			RawOrigin::Authorized.into(),
			ORDER,
			0,
			1,
			commitment,
			signature
		));
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
		assert_eq!(call.weight_of_authorize(), <() as WeightInfo>::authorize_worker_reveal());

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

/// Authorize `call` and dispatch it with the `Authorized` origin.
fn apply_authorized(call: Call<Test>) -> DispatchResult {
	use sp_runtime::traits::Dispatchable;
	validity(&call).map_err(|_| DispatchError::Other("not authorized"))?;
	RuntimeCall::WitnessPool(call)
		.dispatch(RawOrigin::Authorized.into())
		.map(drop)
		.map_err(|e| e.error)
}
