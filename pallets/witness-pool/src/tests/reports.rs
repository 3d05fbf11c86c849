//! Sealed reports: commit and reveal.

use super::*;

#[test]
fn members_commit_and_reveal_in_their_windows() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		seated(&[1, 2]);
		assert_ok!(commit(1, ORDER, 0, true));
		assert_eq!(last_event(), Event::ReportCommitted { order_id: ORDER, round: 0, witness: 1 });
		run_to_block(COMMIT_END_0 - 1);
		assert_ok!(commit(2, ORDER, 0, false));
		let view = WitnessPool::api_round(ORDER, 0).unwrap();
		assert_eq!((view.commits, view.reveals), (2, 0));

		run_to_block(COMMIT_END_0);
		assert_ok!(reveal(1, ORDER, 0, true));
		assert_eq!(
			last_event(),
			Event::ReportRevealed { order_id: ORDER, round: 0, witness: 1, violated: true }
		);
		run_to_block(REVEAL_END_0 - 1);
		assert_ok!(reveal(2, ORDER, 0, false));
		let view = WitnessPool::api_round(ORDER, 0).unwrap();
		assert_eq!((view.commits, view.reveals), (2, 2));
		let reports: Vec<_> = view.members.iter().map(|m| (m.witness, m.revealed)).collect();
		assert!(reports.contains(&(1, Some(true))) && reports.contains(&(2, Some(false))));
	});
}

#[test]
fn the_commitment_is_the_hash_of_the_scale_encoded_report() {
	ExtBuilder::default().build_and_execute(|| {
		let expected = sp_io::hashing::blake2_256(
			&[
				&ORDER.to_le_bytes()[..],
				&3u32.to_le_bytes()[..],
				&[1u8][..],
				&[9u8; 32][..],
				&5u64.to_le_bytes()[..],
			]
			.concat(),
		);
		assert_eq!(WitnessPool::report_commitment(ORDER, 3, true, [9u8; 32], &5), expected);
	});
}

#[test]
fn commit_rejects_non_members_and_closed_windows() {
	ExtBuilder::default().with_witnesses(1..=4).build_and_execute(|| {
		monitor(ORDER, 2, 2);
		assert_noop!(commit(1, ORDER, 0, false), Error::<Test>::RoundNotFound);
		run_to_block(OPEN_0);
		assert_ok!(join(1, ORDER, 0));
		assert_ok!(join(2, ORDER, 0));
		// Joined, but the join window is still open.
		assert_noop!(commit(1, ORDER, 0, false), Error::<Test>::NotInCommitWindow);
		run_to_block(JOIN_END_0);
		assert_noop!(commit(3, ORDER, 0, false), Error::<Test>::NotMember);
		assert_noop!(commit(1, ORDER, 1, false), Error::<Test>::RoundNotFound);
		assert_ok!(commit(1, ORDER, 0, false));
		assert_noop!(commit(1, ORDER, 0, true), Error::<Test>::AlreadyCommitted);
		run_to_block(COMMIT_END_0);
		assert_noop!(commit(2, ORDER, 0, false), Error::<Test>::NotInCommitWindow);
	});
}

#[test]
fn a_copied_commitment_is_rejected() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		seated(&[1, 2]);
		let copied = commitment(1, ORDER, 0, true);
		assert_ok!(WitnessPool::commit_report(RuntimeOrigin::signed(1), ORDER, 0, copied));
		assert_noop!(
			WitnessPool::commit_report(RuntimeOrigin::signed(2), ORDER, 0, copied),
			Error::<Test>::DuplicateCommitment
		);
		// Even a copy that got in could not be revealed: the commitment binds the account.
		assert_ne!(commitment(2, ORDER, 0, true), copied);
		assert_ne!(WitnessPool::report_commitment(ORDER, 0, true, salt(1), &2), copied);
		// 2 commits its own report instead.
		assert_ok!(commit(2, ORDER, 0, true));
	});
}

#[test]
fn reveal_rejects_bad_reveals() {
	ExtBuilder::default().with_witnesses(1..=4).build_and_execute(|| {
		monitor(ORDER, 3, 2);
		run_to_block(OPEN_0);
		for who in [1, 2, 3] {
			assert_ok!(join(who, ORDER, 0));
		}
		run_to_block(JOIN_END_0);
		assert_ok!(commit(1, ORDER, 0, true));
		assert_ok!(commit(2, ORDER, 0, false));
		assert_noop!(reveal(1, ORDER, 0, true), Error::<Test>::NotInRevealWindow);
		run_to_block(COMMIT_END_0);
		assert_noop!(reveal(1, ORDER, 5, true), Error::<Test>::RoundNotFound);
		assert_noop!(reveal(4, ORDER, 0, true), Error::<Test>::NotMember);
		assert_noop!(reveal(3, ORDER, 0, true), Error::<Test>::NotCommitted);
		// Another report, another salt, or another member's salt do not open the commitment.
		assert_noop!(reveal(1, ORDER, 0, false), Error::<Test>::CommitmentMismatch);
		assert_noop!(
			WitnessPool::reveal_report(RuntimeOrigin::signed(1), ORDER, 0, true, [0xee; 32]),
			Error::<Test>::CommitmentMismatch
		);
		assert_noop!(
			WitnessPool::reveal_report(RuntimeOrigin::signed(1), ORDER, 0, true, salt(2)),
			Error::<Test>::CommitmentMismatch
		);
		assert_ok!(reveal(1, ORDER, 0, true));
		assert_noop!(reveal(1, ORDER, 0, true), Error::<Test>::AlreadyRevealed);
		// After the reveal window (one reveal of three: the round lapsed; it is kept until
		// round 1 ends).
		run_to_block(REVEAL_END_0);
		assert_eq!(round(ORDER, 0).phase, RoundPhase::Lapsed);
		assert_noop!(reveal(2, ORDER, 0, false), Error::<Test>::NotInRevealWindow);
		assert_noop!(commit(3, ORDER, 0, false), Error::<Test>::NotInCommitWindow);
	});
}
