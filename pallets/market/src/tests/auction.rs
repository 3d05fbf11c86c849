//! The sealed-bid auction: commits, reveals, ranking, forfeits and fallback candidates.

use super::*;

#[test]
fn committing_holds_the_bid_deposit() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = create_order(ALICE);
		frame_system::Pallet::<Test>::set_extrinsic_index(3);
		commit(P1, id, 80);
		assert_eq!(last_event(), Event::BidCommitted { order_id: id, provider: P1 });
		assert_eq!(held(P1, HoldReason::BidDeposit), DEPOSIT);
		assert_eq!(provider(P1).open_bids, 1);
		let bids = Bids::<Test>::get(id);
		assert_eq!(bids.len(), 1);
		assert_eq!(bids[0].committed_at, 1);
		assert_eq!(bids[0].extrinsic_index, 3);
		assert_eq!(bids[0].price, None);
		assert_eq!(Market::api_order(id).unwrap().bids, 1);
	});
}

#[test]
fn commit_errors() {
	ExtBuilder::default()
		.with_provider(P1, &[0])
		.with_provider(P2, &[1])
		.with_provider(P3, &[0])
		.with_provider(P4, &[0])
		.with_provider(P5, &[0])
		.build_and_execute(|| {
			let c = |who: AccountId, id: OrderId| {
				Market::commit_bid(RuntimeOrigin::signed(who), id, commitment(who, id, 80))
			};
			assert_noop!(c(P1, 9), Error::<Test>::OrderNotFound);
			let id = create_order(ALICE);
			assert_noop!(c(ALICE, id), Error::<Test>::OwnOrder);
			assert_noop!(c(BOB, id), Error::<Test>::NotProvider);
			assert_noop!(c(P2, id), Error::<Test>::LevelNotOffered);
			let own = create_order(P1);
			assert_noop!(c(P1, own), Error::<Test>::OwnOrder);

			let picky = NextOrderId::<Test>::get();
			assert_ok!(Market::create_order(
				RuntimeOrigin::signed(BOB),
				0,
				PERIODS,
				PRICE,
				COMMITTEE,
				BID_WINDOW,
				HASH,
				Permill::from_percent(60),
				None,
				native(),
			));
			assert_noop!(c(P1, picky), Error::<Test>::ReputationTooLow);

			assert_ok!(c(P1, id));
			assert_noop!(c(P1, id), Error::<Test>::AlreadyBid);
			assert_ok!(c(P3, id));
			assert_ok!(c(P4, id));
			assert_ok!(c(P5, id));
			assert_ok!(Market::update_provider(
				RuntimeOrigin::signed(P2),
				endpoint(),
				BoundedVec::truncate_from(vec![0, 1])
			));
			assert_noop!(c(P2, id), Error::<Test>::TooManyBids);

			let late = create_order(BOB);
			run_to_block(6);
			// The bid window is over although the stored state still says Bidding.
			assert!(matches!(state(late), OrderState::Bidding { .. }));
			assert_noop!(c(P1, late), Error::<Test>::BiddingClosed);
			run_to_block(7);
			assert!(matches!(state(id), OrderState::Revealing { .. }));
			assert_noop!(c(P2, id), Error::<Test>::BiddingClosed);
		});
}

#[test]
fn offline_or_poor_providers_cannot_bid() {
	ExtBuilder::default().with_provider(P1, &[0]).with_balance(P2, STAKE + 20).build_and_execute(
		|| {
			// P2 can afford its stake but not a bid deposit.
			assert_ok!(Market::register_provider(
				RuntimeOrigin::signed(P2),
				STAKE,
				endpoint(),
				BoundedVec::truncate_from(vec![0]),
				hb(P2)
			));
			beat(P2);
			let id = create_order(ALICE);
			assert_noop!(
				Market::commit_bid(RuntimeOrigin::signed(P2), id, commitment(P2, id, 80)),
				Error::<Test>::InsufficientBalance
			);

			run_to_block(12);
			let late = NextOrderId::<Test>::get();
			assert_ok!(Market::create_order(
				RuntimeOrigin::signed(ALICE),
				0,
				PERIODS,
				PRICE,
				COMMITTEE,
				20,
				HASH,
				Permill::zero(),
				None,
				native(),
			));
			assert_noop!(
				Market::commit_bid(RuntimeOrigin::signed(P1), late, commitment(P1, late, 80)),
				Error::<Test>::ProviderOffline
			);
			beat(P1);
			commit(P1, late, 80);
		},
	);
}

#[test]
fn a_provider_slashed_below_the_minimum_stake_cannot_bid() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = leased(ALICE, P1, 80);
		assert_ok!(verdict(id, 0, Verdict::Violated));
		assert_eq!(provider(P1).stake, STAKE - SLASH);
		beat(P1);
		let next = create_order(BOB);
		assert_noop!(
			Market::commit_bid(RuntimeOrigin::signed(P1), next, commitment(P1, next, 80)),
			Error::<Test>::StakeTooLow
		);
	});
}

#[test]
fn reveals_are_checked_against_the_commitment() {
	ExtBuilder::default()
		.with_provider(P1, &[0])
		.with_provider(P2, &[0])
		.with_provider(P3, &[0])
		.build_and_execute(|| {
			let id = create_order(ALICE);
			commit(P1, id, 80);
			commit(P2, id, 0);
			commit(P3, id, 150);
			let r = |who: AccountId, price: Balance, salt: [u8; 32]| {
				Market::reveal_bid(RuntimeOrigin::signed(who), id, price, salt)
			};
			assert_noop!(r(P1, 80, salt(P1)), Error::<Test>::NotRevealing);
			run_to_block(6);
			assert_noop!(
				Market::reveal_bid(RuntimeOrigin::signed(P1), 9, 80, salt(P1)),
				Error::<Test>::OrderNotFound
			);
			assert_noop!(r(P4, 80, salt(P4)), Error::<Test>::BidNotFound);
			assert_noop!(r(P1, 81, salt(P1)), Error::<Test>::CommitmentMismatch);
			assert_noop!(r(P1, 80, salt(P2)), Error::<Test>::CommitmentMismatch);
			assert_noop!(r(P2, 0, salt(P2)), Error::<Test>::ZeroPrice);
			assert_noop!(r(P3, 150, salt(P3)), Error::<Test>::PriceAboveMax);
			// Lazily in the reveal window although the stored state still says Bidding.
			assert!(matches!(state(id), OrderState::Bidding { .. }));
			assert_ok!(r(P1, 80, salt(P1)));
			assert_eq!(last_event(), Event::BidRevealed { order_id: id, provider: P1, price: 80 });
			assert_noop!(r(P1, 80, salt(P1)), Error::<Test>::AlreadyRevealed);
			run_to_block(9);
			assert_noop!(r(P1, 80, salt(P1)), Error::<Test>::NotRevealing);
		});
}

#[test]
fn lowest_price_wins_and_unrevealed_bids_forfeit_their_deposit() {
	ExtBuilder::default()
		.with_provider(P1, &[0])
		.with_provider(P2, &[0])
		.with_provider(P3, &[0])
		.build_and_execute(|| {
			let id = create_order(ALICE);
			commit(P1, id, 90);
			commit(P2, id, 70);
			commit(P3, id, 60);
			run_to_block(6);
			reveal(P1, id, 90);
			reveal(P2, id, 70);
			// P3 never reveals.
			run_to_block(10);
			assert_eq!(
				state(id),
				OrderState::Confirming { candidate: P2, price: 70, confirm_until: 12 }
			);
			assert!(emitted(Event::AuctionClosed {
				order_id: id,
				candidate: P2,
				price: 70,
				revealed: 2,
				confirm_until: 12,
			}));
			assert!(emitted(Event::BidDepositForfeited {
				order_id: id,
				provider: P3,
				amount: DEPOSIT
			}));
			assert_eq!(held(P3, HoldReason::BidDeposit), 0);
			assert_eq!(free(P3), INITIAL_BALANCE - STAKE - DEPOSIT);
			assert_eq!(burned(), DEPOSIT);
			assert_eq!(provider(P3).open_bids, 0);
			assert!(!OpenOrders::<Test>::contains_key(0, id));
			// Candidate first, then the fallback.
			let ranked: Vec<_> = Bids::<Test>::get(id).iter().map(|b| b.provider).collect();
			assert_eq!(ranked, vec![P2, P1]);
		});
}

#[test]
fn ties_go_to_the_earliest_commit() {
	ExtBuilder::default()
		.with_provider(P1, &[0])
		.with_provider(P2, &[0])
		.with_provider(P3, &[0])
		.build_and_execute(|| {
			let id = create_order(ALICE);
			frame_system::Pallet::<Test>::set_extrinsic_index(5);
			commit(P1, id, 80);
			frame_system::Pallet::<Test>::set_extrinsic_index(2);
			commit(P2, id, 80);
			run_to_block(2);
			frame_system::Pallet::<Test>::set_extrinsic_index(0);
			commit(P3, id, 80);
			run_to_block(6);
			reveal(P3, id, 80);
			reveal(P1, id, 80);
			reveal(P2, id, 80);
			run_to_block(10);
			// Same price: block 1 beats block 2, and index 2 beats index 5 within block 1.
			let ranked: Vec<_> = Bids::<Test>::get(id).iter().map(|b| b.provider).collect();
			assert_eq!(ranked, vec![P2, P1]);
			assert!(matches!(state(id), OrderState::Confirming { candidate: P2, .. }));
			assert_eq!(held(P3, HoldReason::BidDeposit), 0);
		});
}

#[test]
fn no_revealed_bid_fails_the_order() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = create_order(ALICE);
		commit(P1, id, 80);
		run_to_block(10);
		assert!(matches!(state(id), OrderState::Failed { reason: CloseReason::NoValidBid, .. }));
		assert!(emitted(Event::OrderFailed {
			order_id: id,
			reason: CloseReason::NoValidBid,
			paid: 0,
			refunded: PREPAY,
			tally: PeriodTally { periods: 3, paid: 0, violated: 0, unsettled: 3 },
		}));
		assert_eq!(burned(), DEPOSIT);
		assert_eq!(held(ALICE, HoldReason::OrderPrepay), 0);
	});
}

#[test]
fn an_order_without_bids_fails_when_bidding_ends() {
	ExtBuilder::default().build_and_execute(|| {
		let id = create_order(ALICE);
		run_to_block(7);
		assert!(matches!(
			state(id),
			OrderState::Failed { reason: CloseReason::NoValidBid, prune_at: 16 }
		));
		assert!(!emitted(Event::RevealStarted { order_id: id, reveal_ends: 9 }));
		assert_eq!(free(ALICE), INITIAL_BALANCE);
	});
}

#[test]
fn a_candidate_that_does_not_confirm_is_replaced_by_the_next_best() {
	ExtBuilder::default().with_provider(P1, &[0]).with_provider(P2, &[0]).build_and_execute(|| {
		let id = auction(ALICE, &[(P1, 80), (P2, 90)]);
		run_to_block(13);
		assert!(emitted(Event::BidDepositForfeited {
			order_id: id,
			provider: P1,
			amount: DEPOSIT
		}));
		assert!(emitted(Event::CandidateReplaced {
			order_id: id,
			previous: P1,
			candidate: P2,
			price: 90,
			confirm_until: 15,
		}));
		assert_eq!(held(P1, HoldReason::BidDeposit), 0);
		assert_eq!(provider(P1).open_bids, 0);
		assert_ok!(Market::confirm_order(RuntimeOrigin::signed(P2), id));
		assert_eq!(order(id).lease.unwrap().unit_price, 90);
	});
}

#[test]
fn when_every_candidate_fails_to_confirm_the_order_fails() {
	ExtBuilder::default().with_provider(P1, &[0]).with_provider(P2, &[0]).build_and_execute(|| {
		let id = auction(ALICE, &[(P1, 80), (P2, 90)]);
		run_to_block(16);
		assert!(matches!(
			state(id),
			OrderState::Failed { reason: CloseReason::WinnersDidNotConfirm, .. }
		));
		assert_eq!(burned(), 2 * DEPOSIT);
		assert_eq!(held(ALICE, HoldReason::OrderPrepay), 0);
		assert_eq!(free(ALICE), INITIAL_BALANCE);
	});
}

#[test]
fn clearing_prices_feed_the_quote() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		assert_eq!(Market::api_quote(0, native(), 3), None);
		assert_eq!(Market::api_quote(9, native(), 3), None);
		for price in [50, 10, 40, 20, 30, 60] {
			Market::record_clearing_price(0, &native(), price);
		}
		// The ring buffer keeps the last 5 (oldest first).
		assert_eq!(RecentPrices::<Test>::get(0, native()).to_vec(), vec![10, 40, 20, 30, 60]);
		let quote = Market::api_quote(0, native(), 3).unwrap();
		assert_eq!(quote.median_unit_price, 30);
		assert_eq!(quote.estimated_fee, 90);
		assert_eq!(quote.prepay, 180);
		Market::record_clearing_price(0, &native(), 70);
		// [40, 20, 30, 60, 70]: the median is 40.
		assert_eq!(Market::api_quote(0, native(), 1).unwrap().median_unit_price, 40);
		// An even count takes the mean of the two middle prices.
		assert_eq!(crate::api::median::<Balance>(&[10, 20, 40, 30]), Some(25));
		assert_eq!(crate::api::median::<Balance>(&[]), None);
	});
}
