//! Settlement of billing periods by SLA verdicts.

use super::*;

#[test]
fn a_period_without_violation_pays_the_provider() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = leased(ALICE, P1, 80);
		let before = free(P1);
		assert_ok!(verdict(id, 0, Verdict::NoViolation));
		assert_eq!(
			last_event(),
			Event::PeriodSettled {
				order_id: id,
				round: 0,
				verdict: Verdict::NoViolation,
				paid: 80,
				compensation: 0,
				reputation: Permill::from_parts(666_666),
			}
		);
		assert_eq!(free(P1), before + 80);
		assert_eq!(held(ALICE, HoldReason::OrderPrepay), PREPAY - 80);
		assert_eq!(order(id).paid, 80);
		assert_eq!(state(id), OrderState::Fulfilling { round: 1, verdict_due: 23 });
	});
}

#[test]
fn a_violated_period_is_not_paid_and_compensates_the_customer() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = leased(ALICE, P1, 80);
		let alice = free(ALICE);
		assert_ok!(verdict(id, 0, Verdict::Violated));
		assert_eq!(
			last_event(),
			Event::PeriodSettled {
				order_id: id,
				round: 0,
				verdict: Verdict::Violated,
				paid: 0,
				compensation: SLASH,
				reputation: Permill::from_parts(333_333),
			}
		);
		assert_eq!(free(ALICE), alice + SLASH);
		// The period's price stays held until the order ends.
		assert_eq!(held(ALICE, HoldReason::OrderPrepay), PREPAY);
		assert_eq!(held(P1, HoldReason::ProviderStake), STAKE - SLASH);
		assert_eq!(provider(P1).stake, STAKE - SLASH);
		let lease = order(id).lease.unwrap();
		assert_eq!(
			(lease.violations, lease.consecutive_violations, lease.compensation),
			(1, 1, SLASH)
		);
	});
}

#[test]
fn the_last_period_finishes_the_order_and_refunds_the_rest() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = leased(ALICE, P1, 80);
		assert_ok!(verdict(id, 0, Verdict::NoViolation));
		run_to_block(15);
		assert_ok!(verdict(id, 1, Verdict::Violated));
		run_to_block(20);
		assert_ok!(verdict(id, 2, Verdict::NoViolation));
		assert_eq!(
			last_event(),
			Event::OrderFinished {
				order_id: id,
				paid: 160,
				refunded: PREPAY - 160,
				tally: PeriodTally { periods: 3, paid: 2, violated: 1, unsettled: 0 },
			}
		);
		assert_eq!(state(id), OrderState::Finished { prune_at: 30 });
		assert_eq!(held(ALICE, HoldReason::OrderPrepay), 0);
		assert_eq!(free(ALICE), INITIAL_BALANCE - 160 + SLASH);
		assert_eq!(free(P1), INITIAL_BALANCE - STAKE + 160);
		assert_eq!(provider(P1).active_leases, 0);
		assert_eq!(monitor_calls().last(), Some(&MonitorCall::Stop(id)));
		let view = Market::api_order(id).unwrap();
		assert_eq!((view.settled_periods, view.violated_periods, view.paid), (3, 1, 160));
		// Paid + refunded never exceeds the prepay.
		let o = order(id);
		assert_eq!(o.paid + o.refunded, o.prepay);
	});
}

#[test]
fn consecutive_violations_end_the_lease_early() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = create_order_with(ALICE, 0, 5, PRICE, None);
		commit(P1, id, 80);
		run_to_block(6);
		reveal(P1, id, 80);
		run_to_block(10);
		assert_ok!(Market::confirm_order(RuntimeOrigin::signed(P1), id));
		assert_ok!(Market::fulfill(RuntimeOrigin::signed(P1), id));
		assert_ok!(verdict(id, 0, Verdict::Violated));
		run_to_block(15);
		assert_ok!(verdict(id, 1, Verdict::NoViolation));
		run_to_block(20);
		assert_ok!(verdict(id, 2, Verdict::Violated));
		assert!(matches!(state(id), OrderState::Fulfilling { round: 3, .. }));
		run_to_block(25);
		assert_ok!(verdict(id, 3, Verdict::Violated));
		assert_eq!(
			last_event(),
			Event::OrderFailed {
				order_id: id,
				reason: CloseReason::RepeatedViolations,
				paid: 80,
				refunded: 1_000 - 80,
				tally: PeriodTally { periods: 5, paid: 1, violated: 3, unsettled: 1 },
			}
		);
		assert_eq!(monitor_calls().last(), Some(&MonitorCall::Stop(id)));
		assert_eq!(provider(P1).stake, STAKE - 3 * SLASH);
		assert_eq!(held(ALICE, HoldReason::OrderPrepay), 0);
		assert_noop!(verdict(id, 4, Verdict::NoViolation), Error::<Test>::NotFulfilling);
	});
}

#[test]
fn compensation_is_capped_by_the_remaining_stake() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		ViolationsToTerminate::set(0);
		ViolationSlash::set(300);
		let id = create_order_with(ALICE, 0, 4, PRICE, None);
		commit(P1, id, 10);
		run_to_block(6);
		reveal(P1, id, 10);
		run_to_block(10);
		assert_ok!(Market::confirm_order(RuntimeOrigin::signed(P1), id));
		assert_ok!(Market::fulfill(RuntimeOrigin::signed(P1), id));
		for round in 0..4u32 {
			run_to_block(10 + PERIOD * u64::from(round));
			assert_ok!(verdict(id, round, Verdict::Violated));
		}
		// 300 + 300 + 300 + the remaining 100: never more than the stake.
		assert!(emitted(Event::PeriodSettled {
			order_id: id,
			round: 3,
			verdict: Verdict::Violated,
			paid: 0,
			compensation: 100,
			reputation: provider(P1).reputation(),
		}));
		assert_eq!(provider(P1).stake, 0);
		assert_eq!(held(P1, HoldReason::ProviderStake), 0);
		assert_eq!(free(ALICE), INITIAL_BALANCE + STAKE);
		assert!(matches!(state(id), OrderState::Finished { .. }));
	});
}

#[test]
fn a_sponsored_lease_pays_from_and_refunds_to_the_sponsor() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		approve(BOB, ALICE, PREPAY);
		let id = create_order_with(ALICE, 0, 1, PRICE, Some(BOB));
		commit(P1, id, 80);
		run_to_block(6);
		reveal(P1, id, 80);
		run_to_block(10);
		assert_ok!(Market::confirm_order(RuntimeOrigin::signed(P1), id));
		assert_ok!(Market::fulfill(RuntimeOrigin::signed(P1), id));
		assert_ok!(verdict(id, 0, Verdict::NoViolation));
		assert_eq!(free(BOB), INITIAL_BALANCE - 80);
		assert_eq!(free(ALICE), INITIAL_BALANCE);
		assert_eq!(held(BOB, HoldReason::OrderPrepay), 0);
	});
}

#[test]
fn verdicts_must_match_the_next_round() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		assert_noop!(verdict(42, 0, Verdict::NoViolation), Error::<Test>::OrderNotFound);
		let pending = create_order(BOB);
		assert_noop!(verdict(pending, 0, Verdict::NoViolation), Error::<Test>::NotFulfilling);
		let id = leased(ALICE, P1, 80);
		assert_noop!(verdict(id, 1, Verdict::NoViolation), Error::<Test>::WrongRound);
		assert_ok!(verdict(id, 0, Verdict::NoViolation));
		assert_noop!(verdict(id, 0, Verdict::NoViolation), Error::<Test>::WrongRound);
		// Round 1 starts at block 15.
		assert_noop!(verdict(id, 1, Verdict::NoViolation), Error::<Test>::RoundNotStarted);
		run_to_block(23);
		assert_noop!(verdict(id, 1, Verdict::NoViolation), Error::<Test>::VerdictTooLate);
	});
}

#[test]
fn without_a_verdict_the_lease_times_out_and_nothing_more_is_paid() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = leased(ALICE, P1, 80);
		assert_ok!(verdict(id, 0, Verdict::NoViolation));
		run_to_block(22);
		assert_noop!(
			Market::advance(RuntimeOrigin::signed(CHARLIE), id),
			Error::<Test>::NothingDue
		);
		run_to_block(23);
		assert_ok!(Market::advance(RuntimeOrigin::signed(CHARLIE), id));
		assert_eq!(
			last_event(),
			Event::OrderFailed {
				order_id: id,
				reason: CloseReason::MonitorTimedOut,
				paid: 80,
				refunded: PREPAY - 80,
				tally: PeriodTally { periods: 3, paid: 1, violated: 0, unsettled: 2 },
			}
		);
		assert_eq!(monitor_calls().last(), Some(&MonitorCall::Stop(id)));
		assert_eq!(free(P1), INITIAL_BALANCE - STAKE + 80);
		assert_eq!(provider(P1).active_leases, 0);
	});
}

#[test]
fn the_monitor_timeout_is_also_applied_by_on_idle() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = leased(ALICE, P1, 80);
		run_to_block(19);
		assert!(matches!(
			state(id),
			OrderState::Failed { reason: CloseReason::MonitorTimedOut, .. }
		));
		assert_eq!(order(id).paid, 0);
		assert_eq!(free(ALICE), INITIAL_BALANCE);
	});
}

#[test]
fn a_verdict_reports_the_weight_of_its_path() {
	use crate::weights::WeightInfo;
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = leased(ALICE, P1, 80);
		let handle = |round, verdict| <Market as SlaVerdictHandler>::on_verdict(id, round, verdict);
		// The order goes on after its first two periods; the last one closes it.
		assert_eq!(handle(0, Verdict::NoViolation), Ok(<() as WeightInfo>::on_verdict_continue()));
		run_to_block(15);
		assert_eq!(handle(1, Verdict::Violated), Ok(<() as WeightInfo>::on_verdict_continue()));
		run_to_block(20);
		assert_eq!(handle(2, Verdict::NoViolation), Ok(<() as WeightInfo>::on_verdict()));
		assert!(<Market as SlaVerdictHandler>::on_verdict_weight()
			.all_gte(<() as WeightInfo>::on_verdict_continue()));
		// A refused verdict changes nothing and reports an error (charged the worst case).
		assert!(handle(3, Verdict::NoViolation).is_err());
	});
}
