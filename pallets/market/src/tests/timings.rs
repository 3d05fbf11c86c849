//! Time parameters: the defaults, genesis, `set_timings`, and which deadlines a change affects.

use super::*;

/// Slower time parameters than the mock's defaults (but a shorter heartbeat grace).
fn slower() -> MarketTimings<BlockNumber> {
	MarketTimings {
		min_bid_window: 6,
		max_bid_window: 30,
		reveal_window: 7,
		confirm_window: 8,
		deploy_window: 9,
		billing_period: 12,
		verdict_grace: 4,
		heartbeat_grace: 2,
		retention_period: 50,
	}
}

/// Create a default order of `customer` with a bid window of `bid_window` blocks.
fn create_with_bid_window(customer: AccountId, bid_window: BlockNumber) -> OrderId {
	let id = NextOrderId::<Test>::get();
	assert_ok!(Market::create_order(
		RuntimeOrigin::signed(customer),
		0,
		PERIODS,
		PRICE,
		COMMITTEE,
		bid_window,
		HASH,
		Permill::zero(),
		None,
		native(),
	));
	id
}

#[test]
fn the_defaults_apply_until_timings_are_set() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(Timings::<Test>::get(), None);
		assert_eq!(Market::timings(), DefaultTimings::get());
		// The constants the other tests use agree with the mock's defaults.
		assert_eq!(
			Market::timings(),
			MarketTimings {
				min_bid_window: MIN_BID_WINDOW,
				max_bid_window: MAX_BID_WINDOW,
				reveal_window: REVEAL_WINDOW,
				confirm_window: CONFIRM_WINDOW,
				deploy_window: DEPLOY_WINDOW,
				billing_period: PERIOD,
				verdict_grace: GRACE,
				heartbeat_grace: HEARTBEAT_GRACE,
				retention_period: RETENTION,
			}
		);
		assert!(Market::timings().validate());
	});
}

#[test]
fn the_level_admin_sets_timings() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		run_to_block(5);
		assert!(Market::api_provider(P1).unwrap().online);

		assert_ok!(Market::set_timings(RuntimeOrigin::root(), slower()));
		assert_eq!(last_event(), Event::TimingsSet { timings: slower() });
		assert_eq!(Timings::<Test>::get(), Some(slower()));
		assert_eq!(Market::timings(), slower());

		// The heartbeat grace acts at once: the heartbeat of block 1 is now too old.
		assert!(!Market::api_provider(P1).unwrap().online);
		// New orders must respect the new bid window bounds.
		assert_noop!(
			Market::create_order(
				RuntimeOrigin::signed(ALICE),
				0,
				PERIODS,
				PRICE,
				COMMITTEE,
				BID_WINDOW,
				HASH,
				Permill::zero(),
				None,
				native(),
			),
			Error::<Test>::BidWindowTooShort
		);
		let id = create_with_bid_window(ALICE, 30);
		assert_eq!(bidding_ends(id), 35);
		assert_eq!(order(id).period_length, 12);
		assert_eq!(Market::api_order(id).unwrap().period_length, 12);
	});
}

#[test]
fn only_the_level_admin_sets_timings() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Market::set_timings(RuntimeOrigin::signed(ALICE), slower()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Market::set_timings(RuntimeOrigin::none(), slower()),
			DispatchError::BadOrigin
		);
		assert_eq!(Market::timings(), DefaultTimings::get());
	});
}

#[test]
fn invalid_timings_are_rejected() {
	ExtBuilder::default().build_and_execute(|| {
		let d = DefaultTimings::get();
		let invalid = [
			MarketTimings { min_bid_window: 0, ..d },
			MarketTimings { min_bid_window: 21, max_bid_window: 20, ..d },
			MarketTimings { reveal_window: 0, ..d },
			MarketTimings { confirm_window: 0, ..d },
			MarketTimings { deploy_window: 0, ..d },
			MarketTimings { billing_period: 0, ..d },
			MarketTimings { verdict_grace: 0, ..d },
			MarketTimings { heartbeat_grace: 0, ..d },
			MarketTimings { retention_period: 0, ..d },
		];
		for timings in invalid {
			assert!(!timings.validate(), "{timings:?}");
			assert_noop!(
				Market::set_timings(RuntimeOrigin::root(), timings),
				Error::<Test>::InvalidTimings
			);
		}
		// A single admissible bid window is fine.
		let fixed_window = MarketTimings { min_bid_window: 20, ..d };
		assert_ok!(Market::set_timings(RuntimeOrigin::root(), fixed_window));
		assert_eq!(Market::timings(), fixed_window);
	});
}

#[test]
fn genesis_timings_override_the_defaults() {
	ExtBuilder::default().with_timings(slower()).with_provider(P1, &[0]).build_and_execute(|| {
		assert_eq!(Timings::<Test>::get(), Some(slower()));
		assert_eq!(Market::timings(), slower());
		assert_noop!(
			Market::create_order(
				RuntimeOrigin::signed(ALICE),
				0,
				PERIODS,
				PRICE,
				COMMITTEE,
				MIN_BID_WINDOW,
				HASH,
				Permill::zero(),
				None,
				native(),
			),
			Error::<Test>::BidWindowTooShort
		);
		let id = create_with_bid_window(ALICE, 6);
		assert_eq!(bidding_ends(id), 7);
		assert_eq!(order(id).period_length, 12);
		// Heartbeat at block 1, grace 2: offline from block 4.
		run_to_block(3);
		assert!(Market::api_provider(P1).unwrap().online);
		run_to_block(4);
		assert!(!Market::api_provider(P1).unwrap().online);
	});
}

#[test]
#[should_panic(expected = "invalid genesis market timings")]
fn invalid_genesis_timings_are_refused() {
	let timings = MarketTimings { billing_period: 0, ..DefaultTimings::get() };
	let _ = ExtBuilder::default().with_timings(timings).build();
}

#[test]
fn a_change_applies_to_deadlines_computed_after_it() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		// Created at block 1 under the defaults: bids until 6, billing period 5.
		let id = create_order(ALICE);
		commit(P1, id, 80);
		assert_ok!(Market::set_timings(RuntimeOrigin::root(), slower()));

		// The running bid window keeps its deadline; the reveal window starts under the new
		// timings (7 blocks).
		assert_eq!(bidding_ends(id), 6);
		run_to_block(6);
		reveal(P1, id, 80);
		run_to_block(7);
		assert_eq!(state(id), OrderState::Revealing { reveal_ends: 13 });
		run_to_block(14);
		assert_eq!(
			state(id),
			OrderState::Confirming { candidate: P1, price: 80, confirm_until: 21 }
		);
		assert_ok!(Market::confirm_order(RuntimeOrigin::signed(P1), id));
		assert_eq!(state(id), OrderState::Deploying { deploy_until: 23 });

		// The lease keeps the order's billing period (5), with the new verdict grace (4).
		assert_ok!(Market::fulfill(RuntimeOrigin::signed(P1), id));
		assert_eq!(
			last_event(),
			Event::LeaseStarted {
				order_id: id,
				provider: P1,
				first_period_start: 14,
				period_length: PERIOD,
				periods: PERIODS,
			}
		);
		assert!(matches!(
			monitor_calls().last(),
			Some(MonitorCall::Start(LeaseInfo { period_length: PERIOD, .. }))
		));
		assert_eq!(state(id), OrderState::Fulfilling { round: 0, verdict_due: 23 });
		assert_ok!(verdict(id, 0, Verdict::NoViolation));
		assert_eq!(state(id), OrderState::Fulfilling { round: 1, verdict_due: 28 });
		// Round 1 starts at 14 + 5 (not 14 + 12).
		run_to_block(19);
		assert_ok!(verdict(id, 1, Verdict::NoViolation));
		run_to_block(24);
		assert_ok!(verdict(id, 2, Verdict::NoViolation));
		// The retention period in force when the order ended (50).
		assert_eq!(state(id), OrderState::Finished { prune_at: 74 });
	});
}
