//! Verdicts, payoffs, reputation, suspension and the hand-over to the market.

use super::*;
use crate::impls::{lapsed_payoff, majority, payoff, verdict_of, Payoff};

/// Seat `committee` in round 0 of a one-period lease; every `(member, report)` of `reports`
/// commits, and reveals `report` unless it is `None`; members not in `reports` never commit.
/// Runs to the settlement.
fn settle_with(committee: &[AccountId], reports: &[(AccountId, Option<bool>)]) {
	seated(committee);
	for (who, report) in reports {
		assert_ok!(commit(*who, ORDER, 0, report.unwrap_or(false)));
	}
	run_to_block(COMMIT_END_0);
	for (who, report) in reports {
		if let Some(violated) = report {
			assert_ok!(reveal(*who, ORDER, 0, *violated));
		}
	}
	run_to_block(REVEAL_END_0);
}

fn minted_to(who: AccountId) -> Balance {
	token_events()
		.into_iter()
		.filter_map(|e| match e {
			pallet_faas_token::Event::RewardMinted { who: w, amount } if w == who => Some(amount),
			_ => None,
		})
		.sum()
}

#[test]
fn the_payoff_table_and_the_majority_rule() {
	let p = |reward_units, slash_units, penalty| Payoff { reward_units, slash_units, penalty };
	assert_eq!(payoff(Verdict::Violated, Some(true)), p(10, 0, 0));
	assert_eq!(payoff(Verdict::Violated, Some(false)), p(0, 0, 1));
	assert_eq!(payoff(Verdict::NoViolation, Some(true)), p(0, 1, 1));
	assert_eq!(payoff(Verdict::NoViolation, Some(false)), p(1, 0, 0));
	assert_eq!(payoff(Verdict::Violated, None), p(0, 1, 10));
	assert_eq!(payoff(Verdict::NoViolation, None), p(0, 1, 10));
	// A lapsed round (no quorum): nothing for a report, the missed-report payoff for none.
	assert_eq!(lapsed_payoff(Some(true)), p(0, 0, 0));
	assert_eq!(lapsed_payoff(Some(false)), p(0, 0, 0));
	assert_eq!(lapsed_payoff(None), p(0, 1, 10));
	// M = N/2 + 1: N/2 < M ≤ N, both the quorum of reveals and the violation majority.
	for (members, needed) in [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (7, 4), (21, 11)] {
		assert_eq!(majority(members), needed, "N = {members}");
		let violated = Some(Verdict::Violated);
		assert_eq!(verdict_of(members, needed, needed), violated, "N = {members}");
		assert_eq!(verdict_of(members, members, needed), violated, "N = {members}");
		let clean = Some(Verdict::NoViolation);
		assert_eq!(verdict_of(members, needed, needed - 1), clean, "N = {members}");
		assert_eq!(verdict_of(members, members, 0), clean, "N = {members}");
		// Fewer reveals than the quorum: no verdict, whatever they say.
		assert_eq!(verdict_of(members, needed - 1, needed - 1), None, "N = {members}");
		assert_eq!(verdict_of(members, needed - 1, 0), None, "N = {members}");
	}
	// An empty committee is abandoned before settlement; it could not reach a verdict anyway.
	assert_eq!(verdict_of(0, 0, 0), None);
}

#[test]
fn a_confirmed_violation_pays_ten_units_and_the_minority_loses_reputation() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		let before = issuance();
		settle_with(&[1, 2, 3], &[(1, Some(true)), (2, Some(true)), (3, Some(false))]);
		assert!(emitted(Event::RoundSettled {
			order_id: ORDER,
			round: 0,
			verdict: Verdict::Violated,
			violated_reports: 2,
			reveals: 3,
			members: 3,
		}));
		assert_eq!(verdicts(), vec![(ORDER, 0, Verdict::Violated)]);
		// Violated & true: +10 units minted, reputation unchanged.
		for who in [1, 2] {
			assert_eq!(minted_to(who), 10 * UNIT);
			assert_eq!(free(who), INITIAL_BALANCE - STAKE + 10 * UNIT);
			assert_eq!((held(who), witness(who).stake), (STAKE, STAKE));
			assert_eq!(witness(who).reputation, 100);
		}
		// Violated & false: nothing, −1 reputation.
		assert_eq!(minted_to(3), 0);
		assert_eq!(free(3), INITIAL_BALANCE - STAKE);
		assert_eq!(held(3), STAKE);
		assert_eq!(witness(3).reputation, 99);
		assert_eq!(issuance(), before + 20 * UNIT);
		for who in 1..=3 {
			assert_eq!(witness(who).seats, 0);
		}
	});
}

#[test]
fn no_violation_pays_clean_reports_and_slashes_false_accusations() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		let before = issuance();
		settle_with(&[1, 2, 3], &[(1, Some(true)), (2, Some(false)), (3, Some(false))]);
		assert!(emitted(Event::RoundSettled {
			order_id: ORDER,
			round: 0,
			verdict: Verdict::NoViolation,
			violated_reports: 1,
			reveals: 3,
			members: 3,
		}));
		assert_eq!(verdicts(), vec![(ORDER, 0, Verdict::NoViolation)]);
		// NoViolation & true: one unit slashed (burned) from the stake, −1 reputation.
		assert_eq!(minted_to(1), 0);
		assert_eq!((held(1), witness(1).stake), (STAKE - UNIT, STAKE - UNIT));
		assert_eq!(free(1), INITIAL_BALANCE - STAKE);
		assert_eq!(witness(1).reputation, 99);
		// NoViolation & false: +1 unit.
		for who in [2, 3] {
			assert_eq!(minted_to(who), UNIT);
			assert_eq!(free(who), INITIAL_BALANCE - STAKE + UNIT);
			assert_eq!(held(who), STAKE);
			assert_eq!(witness(who).reputation, 100);
		}
		assert_eq!(issuance(), before + 2 * UNIT - UNIT);
	});
}

#[test]
fn a_missed_report_is_slashed_and_costs_ten_reputation_when_the_quorum_holds() {
	ExtBuilder::default().with_witnesses(1..=4).build_and_execute(|| {
		let before = issuance();
		// A committee of four (quorum 3): 1 commits but never reveals, 2, 3 and 4 reveal
		// clean reports.
		settle_with(
			&[1, 2, 3, 4],
			&[(1, None), (2, Some(false)), (3, Some(false)), (4, Some(false))],
		);
		assert!(emitted(Event::RoundSettled {
			order_id: ORDER,
			round: 0,
			verdict: Verdict::NoViolation,
			violated_reports: 0,
			reveals: 3,
			members: 4,
		}));
		assert_eq!(verdicts(), vec![(ORDER, 0, Verdict::NoViolation)]);
		assert_eq!(minted_to(1), 0);
		assert_eq!((held(1), witness(1).stake), (STAKE - UNIT, STAKE - UNIT));
		assert_eq!(free(1), INITIAL_BALANCE - STAKE);
		assert_eq!(witness(1).reputation, 90);
		for who in [2, 3, 4] {
			assert_eq!(free(who), INITIAL_BALANCE - STAKE + UNIT);
			assert_eq!(witness(who).reputation, 100);
		}
		assert_eq!(issuance(), before + 3 * UNIT - UNIT);
	});
}

#[test]
fn without_a_quorum_of_reveals_the_round_lapses_without_a_verdict() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		let before = issuance();
		// 1 commits but never reveals, 2 never commits, 3 reveals a clean report: one reveal
		// of three, below the quorum of two.
		settle_with(&[1, 2, 3], &[(1, None), (3, Some(false))]);
		assert!(emitted(Event::RoundLapsed { order_id: ORDER, round: 0, reveals: 1, members: 3 }));
		assert!(!pool_events().iter().any(|e| matches!(e, Event::RoundSettled { .. })));
		// Nothing handed to the market: it times the lease out and refunds.
		assert!(verdicts().is_empty());
		// The missed reports are slashed and cost ten reputation; the reveal earns nothing.
		for who in [1, 2] {
			assert_eq!(minted_to(who), 0);
			assert_eq!((held(who), witness(who).stake), (STAKE - UNIT, STAKE - UNIT));
			assert_eq!(free(who), INITIAL_BALANCE - STAKE);
			assert_eq!(witness(who).reputation, 90);
		}
		assert_eq!(
			(minted_to(3), free(3), witness(3).reputation),
			(0, INITIAL_BALANCE - STAKE, 100)
		);
		assert_eq!(issuance(), before - 2 * UNIT);
		for who in 1..=3 {
			assert_eq!(witness(who).seats, 0);
		}
		// The lease's only round is over: the pool stops monitoring it.
		assert!(Leases::<Test>::get(ORDER).is_none());
	});
}

#[test]
fn silence_is_not_an_accusation() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		// One accusation, one clean report, one silent member: a quorum of two reveals, no
		// majority for a violation.
		settle_with(&[1, 2, 3], &[(1, Some(true)), (3, Some(false))]);
		assert_eq!(verdicts(), vec![(ORDER, 0, Verdict::NoViolation)]);
		assert_eq!(witness(1).reputation, 99);
		assert_eq!(witness(2).reputation, 90);
		assert_eq!(witness(3).reputation, 100);
	});
}

#[test]
fn a_reputation_at_zero_suspends_the_witness() {
	ExtBuilder::default().with_witnesses(1..=4).build_and_execute(|| {
		Witnesses::<Test>::mutate(1, |w| w.as_mut().unwrap().reputation = 10);
		settle_with(&[1, 2], &[(2, Some(false))]);
		assert!(emitted(Event::WitnessSuspended { witness: 1, reputation: 0 }));
		assert!(witness(1).suspended);
		assert_eq!(ActiveCount::<Test>::get(), 3);
		assert!(!WitnessPool::api_witness(1).unwrap().active);
		// Never drawn again: neither by VRF nor by seeded sampling.
		monitor(8, 3, 1);
		run_to_block(REVEAL_END_0 + 1);
		assert_noop!(join(1, 8, 0), Error::<Test>::Suspended);
		run_to_block(REVEAL_END_0 + 1 + JOIN);
		let seeded = members(8, 0);
		assert!(!seeded.is_empty() && !seeded.contains(&1), "{seeded:?}");
		// Leaving with a reputation below the refund threshold burns the stake.
		assert_ok!(WitnessPool::unregister_witness(RuntimeOrigin::signed(1)));
		assert_eq!(free(1), INITIAL_BALANCE - STAKE);
	});
}

#[test]
fn a_rejected_verdict_is_reported_and_payoffs_stand() {
	ExtBuilder::default().with_witnesses(1..=2).build_and_execute(|| {
		refuse_verdicts(true);
		settle_with(&[1, 2], &[(1, Some(false)), (2, Some(false))]);
		// (The message of `DispatchError::Other` is not encoded in events.)
		assert!(emitted(Event::VerdictRejected {
			order_id: ORDER,
			round: 0,
			error: DispatchError::Other(""),
		}));
		assert!(verdicts().is_empty());
		assert_eq!(free(1), INITIAL_BALANCE - STAKE + UNIT);
		// The lease's last round is over: the pool stops monitoring it anyway.
		assert!(Leases::<Test>::get(ORDER).is_none());
	});
}

#[test]
fn the_market_may_end_the_lease_from_within_the_verdict() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		monitor(ORDER, 2, 3);
		stop_on_verdict(ORDER);
		run_to_block(OPEN_0);
		assert_ok!(join(1, ORDER, 0));
		assert_ok!(join(2, ORDER, 0));
		run_to_block(JOIN_END_0);
		for who in [1, 2] {
			assert_ok!(commit(who, ORDER, 0, true));
		}
		run_to_block(20);
		// Round 1 opened; 3 joins it.
		assert_ok!(join(3, ORDER, 1));
		run_to_block(COMMIT_END_0);
		for who in [1, 2] {
			assert_ok!(reveal(who, ORDER, 0, true));
		}
		run_to_block(REVEAL_END_0);
		assert_eq!(verdicts(), vec![(ORDER, 0, Verdict::Violated)]);
		let events = pool_events();
		let settled =
			events.iter().position(|e| matches!(e, Event::RoundSettled { .. })).expect("settled");
		let stopped = events
			.iter()
			.position(|e| *e == Event::MonitoringStopped { order_id: ORDER })
			.expect("stopped");
		assert!(settled < stopped, "the verdict is handed over after the round is written");
		// Nothing of the lease is left, and round 1's members got their seats back.
		assert!(Leases::<Test>::get(ORDER).is_none());
		assert!(Rounds::<Test>::iter().next().is_none());
		assert_eq!(witness(3).seats, 0);
		assert_eq!((witness(1).seats, witness(2).seats), (0, 0));
		// No further round opens or settles.
		run_to_block(50);
		assert_eq!(verdicts().len(), 1);
	});
}

#[test]
fn a_multi_round_lease_settles_every_round_in_order() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		monitor(ORDER, 3, 2);
		let reports = [[false, false, false], [true, true, false]];
		for (r, opens) in [(0u32, OPEN_0), (1, 20)] {
			run_to_block(opens);
			for who in 1..=3 {
				assert_ok!(join(who, ORDER, r));
			}
		}
		// Round 0 reports (its commit window ends at 23, round 1's at 33).
		for (r, commit_end) in [(0u32, COMMIT_END_0), (1, 33)] {
			run_to_block(commit_end - 1);
			for who in 1..=3u64 {
				assert_ok!(commit(who, ORDER, r, reports[r as usize][who as usize - 1]));
			}
			run_to_block(commit_end);
			for who in 1..=3u64 {
				assert_ok!(reveal(who, ORDER, r, reports[r as usize][who as usize - 1]));
			}
		}
		run_to_block(36);
		assert_eq!(
			verdicts(),
			vec![(ORDER, 0, Verdict::NoViolation), (ORDER, 1, Verdict::Violated)]
		);
		assert_eq!(free(1), INITIAL_BALANCE - STAKE + UNIT + 10 * UNIT);
		assert_eq!(free(3), INITIAL_BALANCE - STAKE + UNIT);
		assert_eq!(witness(3).reputation, 99);
		assert!(Leases::<Test>::get(ORDER).is_none());
	});
}
