//! Deployment disputes (docs/architecture.md §5.3): who failed the hand-off of the package is
//! decided by evidence — the package the customer publishes, checked by a committee — not by
//! the deploy deadline alone.

use super::*;
use defaas_primitives::{MonitorTarget, PackageCheck, PackageUrl};

const URL: &[u8] = b"https://packages.example/hello.wasm";

fn url(bytes: &[u8]) -> PackageUrl {
	bytes.to_vec().try_into().unwrap()
}

/// An order of ALICE leased to P1 at 80 and confirmed at block 10 (deploy window until 14).
fn deploying() -> OrderId {
	let id = auction(ALICE, &[(P1, 80)]);
	assert_ok!(Market::confirm_order(RuntimeOrigin::signed(P1), id));
	assert_eq!(state(id), OrderState::Deploying { deploy_until: 10 + DEPLOY_WINDOW });
	id
}

/// [`deploying`], disputed by P1 at block 10.
fn disputed() -> OrderId {
	let id = deploying();
	assert_ok!(Market::dispute_handoff(RuntimeOrigin::signed(P1), id));
	id
}

/// [`disputed`], its package published by ALICE at block 10.
fn checking() -> OrderId {
	let id = disputed();
	assert_ok!(Market::publish_package(RuntimeOrigin::signed(ALICE), id, url(URL)));
	id
}

#[test]
fn a_customer_who_never_publishes_pays_for_the_failed_hand_off() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = disputed();
		let publish_until = 10 + DEPLOY_WINDOW;
		assert_eq!(
			last_event(),
			Event::HandoffDisputed { order_id: id, provider: P1, publish_until }
		);
		assert_eq!(state(id), OrderState::HandoffDisputed { publish_until });
		let (p1_free, alice_free) = (free(P1), free(ALICE));
		run_to_block(publish_until + 1);
		// The provider keeps its deposit and is paid one unit price; the rest is refunded.
		assert!(emitted(Event::OrderCancelled {
			order_id: id,
			reason: CloseReason::CustomerDidNotDeliver,
			paid: 80,
			refunded: PREPAY - 80,
			tally: PeriodTally { periods: 3, paid: 0, violated: 0, unsettled: 3 },
		}));
		assert_eq!(free(P1), p1_free + 80 + DEPOSIT);
		assert_eq!(free(ALICE), alice_free + PREPAY - 80);
		assert_eq!(held(P1, HoldReason::BidDeposit), 0);
		assert_eq!(burned(), 0);
		assert_eq!(provider(P1).active_leases, 0);
		assert!(monitor_calls().is_empty(), "nothing to judge: nobody was asked");
	});
}

#[test]
fn a_published_package_goes_to_a_committee_of_one_round() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = checking();
		let verdict_due = 10 + PERIOD + GRACE;
		assert_eq!(state(id), OrderState::HandoffChecking { verdict_due });
		assert!(emitted(Event::PackagePublished { order_id: id, url: url(URL), verdict_due }));
		assert_eq!(
			monitor_calls(),
			vec![MonitorCall::Start(LeaseInfo {
				order_id: id,
				provider: P1,
				customer: ALICE,
				level: 0,
				period_length: PERIOD,
				periods: 1,
				committee_size: COMMITTEE,
				first_period_start: 10,
				target: MonitorTarget::Package(PackageCheck {
					url: url(URL),
					package_hash: HASH,
					// Level 0 allows 50 MiB packages.
					max_bytes: 50 * 1024 * 1024,
				}),
			})]
		);
	});
}

#[test]
fn a_published_package_found_wrong_costs_the_customer() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = checking();
		let p1_free = free(P1);
		run_to_block(12);
		assert_ok!(verdict(id, 0, Verdict::Violated));
		assert!(emitted(Event::OrderCancelled {
			order_id: id,
			reason: CloseReason::CustomerDidNotDeliver,
			paid: 80,
			refunded: PREPAY - 80,
			tally: PeriodTally { periods: 3, paid: 0, violated: 0, unsettled: 3 },
		}));
		assert_eq!(free(P1), p1_free + 80 + DEPOSIT);
		assert_eq!(burned(), 0);
		assert_eq!(monitor_calls().last(), Some(&MonitorCall::Stop(id)));
	});
}

#[test]
fn a_published_package_found_right_costs_the_provider_its_deposit() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = checking();
		let (p1_free, alice_free) = (free(P1), free(ALICE));
		run_to_block(12);
		assert_ok!(verdict(id, 0, Verdict::NoViolation));
		assert!(emitted(Event::OrderCancelled {
			order_id: id,
			reason: CloseReason::ProviderDidNotDeploy,
			paid: 0,
			refunded: PREPAY,
			tally: PeriodTally { periods: 3, paid: 0, violated: 0, unsettled: 3 },
		}));
		assert_eq!(burned(), DEPOSIT);
		assert_eq!(free(P1), p1_free);
		assert_eq!(free(ALICE), alice_free + PREPAY);
		assert_eq!(monitor_calls().last(), Some(&MonitorCall::Stop(id)));
	});
}

#[test]
fn a_provider_who_neither_deploys_nor_disputes_still_loses_its_deposit() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = deploying();
		run_to_block(10 + DEPLOY_WINDOW + 1);
		assert!(matches!(
			state(id),
			OrderState::Cancelled { reason: CloseReason::ProviderDidNotDeploy, .. }
		));
		assert_eq!(burned(), DEPOSIT);
	});
}

#[test]
fn no_verdict_on_a_hand_off_check_blames_nobody() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = checking();
		let (p1_free, alice_free) = (free(P1), free(ALICE));
		run_to_block(10 + PERIOD + GRACE + 1);
		assert!(matches!(
			state(id),
			OrderState::Failed { reason: CloseReason::MonitorTimedOut, .. }
		));
		assert_eq!(free(P1), p1_free + DEPOSIT);
		assert_eq!(free(ALICE), alice_free + PREPAY);
		assert_eq!(burned(), 0);
		assert_eq!(monitor_calls().last(), Some(&MonitorCall::Stop(id)));
		// A verdict after the deadline finds no check.
		assert!(verdict(id, 0, Verdict::Violated).is_err());
	});
}

#[test]
fn the_provider_may_still_deploy_during_a_dispute() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		// While the customer has not published yet.
		let id = disputed();
		assert_ok!(Market::fulfill(RuntimeOrigin::signed(P1), id));
		assert!(matches!(state(id), OrderState::Fulfilling { round: 0, .. }));
		assert!(matches!(
			&monitor_calls()[..],
			[MonitorCall::Start(LeaseInfo { target: MonitorTarget::Service, .. })]
		));
	});
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		// While the committee checks: the check ends unjudged, the lease starts.
		let id = checking();
		run_to_block(11);
		assert_ok!(Market::fulfill(RuntimeOrigin::signed(P1), id));
		assert!(matches!(state(id), OrderState::Fulfilling { round: 0, .. }));
		let calls = monitor_calls();
		assert_eq!(calls.len(), 3);
		assert_eq!(calls[1], MonitorCall::Stop(id));
		assert!(matches!(
			calls[2],
			MonitorCall::Start(LeaseInfo {
				target: MonitorTarget::Service,
				first_period_start: 11,
				..
			})
		));
		assert_eq!(burned(), 0);
	});
}

#[test]
fn a_monitor_that_cannot_seat_a_check_fails_the_order_without_blame() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = disputed();
		let (p1_free, alice_free) = (free(P1), free(ALICE));
		monitor_refuses(true);
		assert_ok!(Market::publish_package(RuntimeOrigin::signed(ALICE), id, url(URL)));
		assert!(matches!(
			state(id),
			OrderState::Failed { reason: CloseReason::MonitorUnavailable, .. }
		));
		assert_eq!(free(P1), p1_free + DEPOSIT);
		assert_eq!(free(ALICE), alice_free + PREPAY);
	});
}

#[test]
fn bad_dispute_and_publish_calls_are_refused_and_change_nothing() {
	ExtBuilder::default().with_provider(P1, &[0]).with_provider(P2, &[0]).build_and_execute(|| {
		let id = deploying();
		assert_noop!(
			Market::dispute_handoff(RuntimeOrigin::signed(P2), id),
			Error::<Test>::NotLeaseProvider
		);
		assert_noop!(
			Market::dispute_handoff(RuntimeOrigin::signed(P1), 99),
			Error::<Test>::OrderNotFound
		);
		assert_noop!(
			Market::publish_package(RuntimeOrigin::signed(ALICE), id, url(URL)),
			Error::<Test>::NotDisputed
		);
		assert_ok!(Market::dispute_handoff(RuntimeOrigin::signed(P1), id));
		assert_noop!(
			Market::dispute_handoff(RuntimeOrigin::signed(P1), id),
			Error::<Test>::NotDeploying
		);
		assert_noop!(Market::abort(RuntimeOrigin::signed(P1), id), Error::<Test>::NotDeploying);
		assert_noop!(
			Market::cancel_order(RuntimeOrigin::signed(ALICE), id),
			Error::<Test>::CannotCancel
		);
		assert_noop!(
			Market::publish_package(RuntimeOrigin::signed(BOB), id, url(URL)),
			Error::<Test>::NotCustomer
		);
		for bad in [
			&b"ftp://packages.example/x"[..],
			b"https://",
			b"https:///x",
			b"https://a b",
			b"packages.example/x",
			b"",
		] {
			assert_noop!(
				Market::publish_package(RuntimeOrigin::signed(ALICE), id, url(bad)),
				Error::<Test>::InvalidPackageUrl
			);
		}
		run_to_block(10 + DEPLOY_WINDOW);
		// The deadline's block: `on_idle` of this block closes it; before that, too late.
		assert_noop!(
			Market::publish_package(RuntimeOrigin::signed(ALICE), id, url(URL)),
			Error::<Test>::PublishWindowClosed
		);
	});
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = deploying();
		run_to_block(10 + DEPLOY_WINDOW);
		assert_noop!(
			Market::dispute_handoff(RuntimeOrigin::signed(P1), id),
			Error::<Test>::DeployWindowClosed
		);
	});
}
