//! Orders: creation, sponsorship, cancellation, confirmation, deployment and abort.

use super::*;
use defaas_primitives::traits::PaymentAllowances;

fn create(
	who: AccountId,
	level: LevelId,
	periods: u32,
	max_unit_price: Balance,
	committee: u32,
	bid_window: BlockNumber,
	sponsor: Option<AccountId>,
) -> sp_runtime::DispatchResult {
	Market::create_order(
		RuntimeOrigin::signed(who),
		level,
		periods,
		max_unit_price,
		committee,
		bid_window,
		HASH,
		Permill::zero(),
		sponsor,
		native(),
	)
}

#[test]
fn creating_an_order_holds_the_prepay_and_opens_the_auction() {
	ExtBuilder::default().build_and_execute(|| {
		let id = create_order(ALICE);
		assert_eq!(id, 0);
		assert_eq!(
			last_event(),
			Event::OrderCreated {
				order_id: 0,
				customer: ALICE,
				payer: ALICE,
				asset: native(),
				level: 0,
				periods: PERIODS,
				max_unit_price: PRICE,
				prepay: PREPAY,
				bidding_ends: 1 + BID_WINDOW,
			}
		);
		assert_eq!(held(ALICE, HoldReason::OrderPrepay), PREPAY);
		let o = order(id);
		assert_eq!(o.state, OrderState::Bidding { bidding_ends: 6 });
		assert_eq!((o.paid, o.refunded, o.prepay), (0, 0, PREPAY));
		assert!(OpenOrders::<Test>::contains_key(0, id));
		assert_eq!(Deadlines::<Test>::get(6).to_vec(), vec![id]);
		assert_eq!(Market::api_open_orders(Some(0), 10).len(), 1);
		assert_eq!(Market::api_open_orders(Some(1), 10).len(), 0);
		assert_eq!(Market::api_order(id).unwrap().prepay, PREPAY);
		assert_eq!(create_order(BOB), 1);
	});
}

#[test]
fn a_committee_larger_than_the_witnesses_that_could_serve_is_refused_at_creation() {
	ExtBuilder::default().build_and_execute(|| {
		MONITOR_CAPACITY.with(|c| *c.borrow_mut() = 2);
		assert_noop!(create(ALICE, 0, 3, 100, 3, 5, None), Error::<Test>::NotEnoughWitnesses);
		assert_ok!(create(ALICE, 0, 3, 100, 2, 5, None));
		// The quote tells the largest committee an order may ask for now.
		Market::record_clearing_price(0, &native(), 10);
		assert_eq!(Market::api_quote(0, native(), 3).unwrap().max_committee, 2);
		MONITOR_CAPACITY.with(|c| *c.borrow_mut() = 100);
		// Capped by `MaxCommittee`.
		assert_eq!(Market::api_quote(0, native(), 3).unwrap().max_committee, 7);
	});
}

#[test]
fn order_terms_are_checked() {
	ExtBuilder::default().build_and_execute(|| {
		use Error as E;
		assert_noop!(create(ALICE, 9, 3, 100, 3, 5, None), E::<Test>::UnknownLevel);
		assert_noop!(create(ALICE, 0, 0, 100, 3, 5, None), E::<Test>::ZeroPeriods);
		assert_noop!(create(ALICE, 0, 11, 100, 3, 5, None), E::<Test>::TooManyPeriods);
		assert_noop!(create(ALICE, 0, 3, 100, 0, 5, None), E::<Test>::CommitteeTooSmall);
		assert_noop!(create(ALICE, 0, 3, 100, 8, 5, None), E::<Test>::CommitteeTooLarge);
		assert_noop!(create(ALICE, 0, 3, 100, 3, 1, None), E::<Test>::BidWindowTooShort);
		assert_noop!(create(ALICE, 0, 3, 100, 3, 21, None), E::<Test>::BidWindowTooLong);
		assert_noop!(create(ALICE, 0, 3, 0, 3, 5, None), E::<Test>::ZeroPrice);
		assert_noop!(create(ALICE, 0, 3, Balance::MAX, 3, 5, None), E::<Test>::Overflow);
		assert_noop!(
			create(ALICE, 0, 3, INITIAL_BALANCE, 3, 5, None),
			E::<Test>::InsufficientBalance
		);
		assert_noop!(create(NOBODY, 0, 3, 100, 3, 5, None), E::<Test>::InsufficientBalance);
		assert_noop!(create(ALICE, 0, 3, 100, 3, 5, Some(BOB)), E::<Test>::InsufficientAllowance);
	});
}

#[test]
fn order_ids_do_not_overflow() {
	ExtBuilder::default().build_and_execute(|| {
		NextOrderId::<Test>::put(u64::MAX);
		assert_noop!(create(ALICE, 0, 3, 100, 3, 5, None), Error::<Test>::Overflow);
		NextOrderId::<Test>::put(0);
	});
}

#[test]
fn a_full_deadline_index_rejects_new_orders() {
	ExtBuilder::default().build_and_execute(|| {
		let full: DeadlineBucketOf<Test> = BoundedVec::truncate_from(vec![u64::MAX; 4]);
		for block in 6..6 + 32 {
			Deadlines::<Test>::insert(block, full.clone());
		}
		assert_noop!(create(ALICE, 0, 3, 100, 3, 5, None), Error::<Test>::DeadlineIndexFull);
		// A later deadline still finds room.
		assert_ok!(create(ALICE, 0, 3, 100, 3, 6, None));
		assert_eq!(Deadlines::<Test>::get(38).to_vec(), vec![0]);
	});
}

#[test]
fn a_sponsor_pays_through_its_allowance() {
	ExtBuilder::default().build_and_execute(|| {
		approve(BOB, ALICE, 1_000);
		let id = create_order_with(ALICE, 0, PERIODS, PRICE, Some(BOB));
		let o = order(id);
		assert_eq!((o.customer, o.payer), (ALICE, BOB));
		assert_eq!(held(BOB, HoldReason::OrderPrepay), PREPAY);
		assert_eq!(held(ALICE, HoldReason::OrderPrepay), 0);
		assert_eq!(TestAllowances::allowance(&native(), &BOB, &ALICE), 1_000 - PREPAY);
		// Naming oneself as sponsor is paying oneself.
		let own = create_order_with(ALICE, 0, PERIODS, PRICE, Some(ALICE));
		assert_eq!(order(own).payer, ALICE);

		// The sponsor gets the prepay back when the customer cancels.
		assert_ok!(Market::cancel_order(RuntimeOrigin::signed(ALICE), id));
		assert_eq!(held(BOB, HoldReason::OrderPrepay), 0);
		assert_eq!(free(BOB), INITIAL_BALANCE);
		// Only the customer controls the order, not the sponsor.
		assert_noop!(
			Market::cancel_order(RuntimeOrigin::signed(BOB), own),
			Error::<Test>::NotCustomer
		);
	});
}

#[test]
fn cancelling_while_bidding_releases_everything() {
	ExtBuilder::default().with_provider(P1, &[0]).with_provider(P2, &[0]).build_and_execute(|| {
		let id = create_order(ALICE);
		commit(P1, id, 90);
		commit(P2, id, 80);
		assert_eq!(held(P1, HoldReason::BidDeposit), DEPOSIT);
		assert_ok!(Market::cancel_order(RuntimeOrigin::signed(ALICE), id));
		assert_eq!(
			last_event(),
			Event::OrderCancelled {
				order_id: id,
				reason: CloseReason::CustomerCancelled,
				paid: 0,
				refunded: PREPAY,
				tally: PeriodTally { periods: 3, paid: 0, violated: 0, unsettled: 3 },
			}
		);
		assert!(emitted(Event::BidDepositReleased { order_id: id, provider: P1, amount: DEPOSIT }));
		assert!(emitted(Event::BidDepositReleased { order_id: id, provider: P2, amount: DEPOSIT }));
		assert_eq!(held(P1, HoldReason::BidDeposit), 0);
		assert_eq!(held(ALICE, HoldReason::OrderPrepay), 0);
		assert_eq!(provider(P1).open_bids, 0);
		assert!(!OpenOrders::<Test>::contains_key(0, id));
		assert!(matches!(
			state(id),
			OrderState::Cancelled { reason: CloseReason::CustomerCancelled, prune_at: 11 }
		));
		assert_noop!(
			Market::cancel_order(RuntimeOrigin::signed(ALICE), id),
			Error::<Test>::CannotCancel
		);
	});
}

#[test]
fn cancel_is_for_the_customer_before_fulfilment() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		assert_noop!(
			Market::cancel_order(RuntimeOrigin::signed(ALICE), 7),
			Error::<Test>::OrderNotFound
		);
		let id = leased(ALICE, P1, 80);
		assert_noop!(
			Market::cancel_order(RuntimeOrigin::signed(BOB), id),
			Error::<Test>::NotCustomer
		);
		assert_noop!(
			Market::cancel_order(RuntimeOrigin::signed(ALICE), id),
			Error::<Test>::CannotCancel
		);
	});
}

#[test]
fn cancelling_while_confirming_or_deploying_ends_the_lease() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let confirming = auction(ALICE, &[(P1, 80)]);
		assert!(matches!(state(confirming), OrderState::Confirming { .. }));
		assert_ok!(Market::cancel_order(RuntimeOrigin::signed(ALICE), confirming));
		assert_eq!(held(P1, HoldReason::BidDeposit), 0);

		beat(P1);
		let deploying = auction(BOB, &[(P1, 70)]);
		assert_ok!(Market::confirm_order(RuntimeOrigin::signed(P1), deploying));
		assert_eq!(provider(P1).active_leases, 1);
		assert_ok!(Market::cancel_order(RuntimeOrigin::signed(BOB), deploying));
		assert_eq!(provider(P1).active_leases, 0);
		assert_eq!(held(BOB, HoldReason::OrderPrepay), 0);
		assert_eq!(held(P1, HoldReason::BidDeposit), 0);
	});
}

#[test]
fn the_candidate_confirms_and_the_lease_is_created() {
	ExtBuilder::default()
		.with_provider(P1, &[0])
		.with_provider(P2, &[0])
		.with_provider(P3, &[0])
		.build_and_execute(|| {
			// P3 is beyond the single fallback seat: released at the close.
			let id = auction(ALICE, &[(P1, 80), (P2, 90), (P3, 95)]);
			assert_eq!(
				state(id),
				OrderState::Confirming { candidate: P1, price: 80, confirm_until: 12 }
			);
			assert_eq!(held(P3, HoldReason::BidDeposit), 0);
			assert_eq!(held(P2, HoldReason::BidDeposit), DEPOSIT);

			assert_noop!(
				Market::confirm_order(RuntimeOrigin::signed(P2), id),
				Error::<Test>::NotCandidate
			);
			assert_ok!(Market::confirm_order(RuntimeOrigin::signed(P1), id));
			assert_eq!(
				last_event(),
				Event::OrderConfirmed {
					order_id: id,
					level: 0,
					asset: NativeOrWithId::Native,
					provider: P1,
					unit_price: 80,
					deploy_until: 14
				}
			);
			// The fallback's deposit is released, the winner's kept until it fulfils.
			assert_eq!(held(P2, HoldReason::BidDeposit), 0);
			assert_eq!(held(P1, HoldReason::BidDeposit), DEPOSIT);
			let lease = order(id).lease.unwrap();
			assert_eq!((lease.provider, lease.unit_price, lease.start), (P1, 80, None));
			assert_eq!(state(id), OrderState::Deploying { deploy_until: 14 });
			assert_eq!(provider(P1).active_leases, 1);
			assert_eq!(RecentPrices::<Test>::get(0, native()).to_vec(), vec![80]);
			assert_noop!(
				Market::confirm_order(RuntimeOrigin::signed(P1), id),
				Error::<Test>::NotConfirming
			);
		});
}

#[test]
fn confirmation_errors() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		assert_noop!(
			Market::confirm_order(RuntimeOrigin::signed(P1), 3),
			Error::<Test>::OrderNotFound
		);
		let id = auction(ALICE, &[(P1, 80)]);
		run_to_block(12);
		assert_noop!(
			Market::confirm_order(RuntimeOrigin::signed(P1), id),
			Error::<Test>::ConfirmWindowClosed
		);
	});
}

#[test]
fn fulfilling_starts_billing_and_monitoring() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = auction(ALICE, &[(P1, 80)]);
		assert_noop!(Market::fulfill(RuntimeOrigin::signed(P1), id), Error::<Test>::NotDeploying);
		assert_ok!(Market::confirm_order(RuntimeOrigin::signed(P1), id));
		assert_noop!(
			Market::fulfill(RuntimeOrigin::signed(P2), id),
			Error::<Test>::NotLeaseProvider
		);
		assert_noop!(Market::fulfill(RuntimeOrigin::signed(P1), 9), Error::<Test>::OrderNotFound);
		assert_ok!(Market::fulfill(RuntimeOrigin::signed(P1), id));
		assert_eq!(
			last_event(),
			Event::LeaseStarted {
				order_id: id,
				provider: P1,
				first_period_start: 10,
				period_length: PERIOD,
				periods: PERIODS,
			}
		);
		assert_eq!(state(id), OrderState::Fulfilling { round: 0, verdict_due: 18 });
		assert_eq!(order(id).lease.unwrap().start, Some(10));
		assert_eq!(held(P1, HoldReason::BidDeposit), 0);
		assert_eq!(
			monitor_calls(),
			vec![MonitorCall::Start(LeaseInfo {
				order_id: id,
				provider: P1,
				customer: ALICE,
				level: 0,
				period_length: PERIOD,
				periods: PERIODS,
				committee_size: COMMITTEE,
				first_period_start: 10,
				target: MonitorTarget::Service,
			})]
		);
		let view = Market::api_order(id).unwrap();
		assert_eq!(
			(view.provider, view.unit_price, view.lease_start),
			(Some(P1), Some(80), Some(10))
		);
	});
}

#[test]
fn fulfilling_too_late_fails() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = auction(ALICE, &[(P1, 80)]);
		assert_ok!(Market::confirm_order(RuntimeOrigin::signed(P1), id));
		run_to_block(14);
		assert_noop!(
			Market::fulfill(RuntimeOrigin::signed(P1), id),
			Error::<Test>::DeployWindowClosed
		);
	});
}

#[test]
fn a_refused_lease_fails_the_order_without_penalty() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = auction(ALICE, &[(P1, 80)]);
		assert_ok!(Market::confirm_order(RuntimeOrigin::signed(P1), id));
		monitor_refuses(true);
		assert_ok!(Market::fulfill(RuntimeOrigin::signed(P1), id));
		assert_eq!(
			last_event(),
			Event::OrderFailed {
				order_id: id,
				reason: CloseReason::MonitorUnavailable,
				paid: 0,
				refunded: PREPAY,
				tally: PeriodTally { periods: 3, paid: 0, violated: 0, unsettled: 3 },
			}
		);
		assert_eq!(held(P1, HoldReason::BidDeposit), 0);
		assert_eq!(free(P1), INITIAL_BALANCE - STAKE);
		assert_eq!(provider(P1).active_leases, 0);
		assert!(monitor_calls().is_empty());
	});
}

#[test]
fn the_provider_may_abort_a_deployment() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = auction(ALICE, &[(P1, 80)]);
		assert_noop!(Market::abort(RuntimeOrigin::signed(P1), id), Error::<Test>::NotDeploying);
		assert_ok!(Market::confirm_order(RuntimeOrigin::signed(P1), id));
		assert_noop!(
			Market::abort(RuntimeOrigin::signed(ALICE), id),
			Error::<Test>::NotLeaseProvider
		);
		assert_noop!(Market::abort(RuntimeOrigin::signed(P1), 5), Error::<Test>::OrderNotFound);
		assert_ok!(Market::abort(RuntimeOrigin::signed(P1), id));
		assert_eq!(
			last_event(),
			Event::OrderCancelled {
				order_id: id,
				reason: CloseReason::ProviderAborted,
				paid: 0,
				refunded: PREPAY,
				tally: PeriodTally { periods: 3, paid: 0, violated: 0, unsettled: 3 },
			}
		);
		assert_eq!(held(P1, HoldReason::BidDeposit), 0);
		assert_eq!(provider(P1).active_leases, 0);
		assert_eq!(held(ALICE, HoldReason::OrderPrepay), 0);
	});
}

#[test]
fn aborting_cannot_dodge_the_deploy_timeout() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = auction(ALICE, &[(P1, 80)]);
		assert_ok!(Market::confirm_order(RuntimeOrigin::signed(P1), id));
		run_to_block(14);
		assert_noop!(
			Market::abort(RuntimeOrigin::signed(P1), id),
			Error::<Test>::DeployWindowClosed
		);
	});
}
