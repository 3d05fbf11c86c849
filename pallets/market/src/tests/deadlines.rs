//! Lazy deadlines: `advance`, the deadline index, the bounded `on_idle` sweep and pruning.

use super::*;
use frame_support::{dispatch::Pays, traits::Get};

#[test]
fn advance_applies_a_due_transition_for_free() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = create_order(ALICE);
		commit(P1, id, 80);
		assert_noop!(
			Market::advance(RuntimeOrigin::signed(CHARLIE), 9),
			Error::<Test>::OrderNotFound
		);
		assert_noop!(
			Market::advance(RuntimeOrigin::signed(CHARLIE), id),
			Error::<Test>::NothingDue
		);
		System::set_block_number(6);
		let info = Market::advance(RuntimeOrigin::signed(CHARLIE), id).unwrap();
		assert_eq!(info.pays_fee, Pays::No);
		// Charged for the order's one bid, not for `MaxBidsPerOrder`.
		assert_eq!(info.actual_weight, Some(<() as crate::WeightInfo>::advance(1)));
		assert_eq!(last_event(), Event::RevealStarted { order_id: id, reveal_ends: 9 });
		assert_eq!(state(id), OrderState::Revealing { reveal_ends: 9 });
		assert!(Deadlines::<Test>::get(9).contains(&id));
		assert_noop!(
			Market::advance(RuntimeOrigin::signed(CHARLIE), id),
			Error::<Test>::NothingDue
		);
	});
}

#[test]
fn a_late_advance_applies_every_due_transition() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = create_order(ALICE);
		commit(P1, id, 80);
		System::set_block_number(6);
		reveal(P1, id, 80);
		// Nobody advanced during the whole reveal window.
		System::set_block_number(9);
		assert_ok!(Market::advance(RuntimeOrigin::signed(CHARLIE), id));
		assert!(emitted(Event::RevealStarted { order_id: id, reveal_ends: 9 }));
		assert_eq!(
			state(id),
			OrderState::Confirming { candidate: P1, price: 80, confirm_until: 12 }
		);
	});
}

#[test]
fn on_idle_advances_due_orders() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = create_order(ALICE);
		commit(P1, id, 80);
		run_to_block(6);
		assert!(matches!(state(id), OrderState::Bidding { .. }));
		run_to_block(7);
		assert_eq!(state(id), OrderState::Revealing { reveal_ends: 9 });
		assert_eq!(DeadlineCursor::<Test>::get(), Some(7));
		assert!(!Deadlines::<Test>::contains_key(6));
	});
}

#[test]
fn a_full_bucket_spills_into_the_next_block() {
	ExtBuilder::default().build_and_execute(|| {
		let ids: Vec<_> = (0..5).map(|_| create_order(ALICE)).collect();
		assert_eq!(Deadlines::<Test>::get(6).to_vec(), ids[..4].to_vec());
		assert_eq!(Deadlines::<Test>::get(7).to_vec(), vec![ids[4]]);
		run_to_block(7);
		// The four due at 6 failed (no bids); the fifth waits for block 7.
		for id in &ids[..4] {
			assert!(matches!(state(*id), OrderState::Failed { .. }));
		}
		assert!(matches!(state(ids[4]), OrderState::Bidding { .. }));
		run_to_block(8);
		assert!(matches!(state(ids[4]), OrderState::Failed { .. }));
	});
}

#[test]
fn on_idle_respects_its_weight_limit() {
	ExtBuilder::default().build_and_execute(|| {
		let ids: Vec<_> = (0..3).map(|_| create_order(ALICE)).collect();
		run_to_block(6);
		let db: frame_support::weights::RuntimeDbWeight =
			<Test as frame_system::Config>::DbWeight::get();
		// An entry: its bid count read and the transition with its bids (none here).
		let advance = db.reads(1) + <() as crate::WeightInfo>::advance(0);
		// Room for the cursor, one bucket and exactly one entry.
		let limit = db.reads(1) + db.reads_writes(1, 1) + advance + db.writes(1);
		let used = Market::on_idle(6, limit);
		assert!(used.all_lte(limit));
		assert!(matches!(state(ids[0]), OrderState::Failed { .. }));
		assert!(matches!(state(ids[1]), OrderState::Bidding { .. }));
		// The rest stays indexed at the same block.
		assert_eq!(Deadlines::<Test>::get(6).to_vec(), ids[1..].to_vec());
		assert_eq!(DeadlineCursor::<Test>::get(), Some(1 + 5));

		// No weight: nothing happens.
		assert_eq!(Market::on_idle(6, Weight::zero()), Weight::zero());
		assert!(matches!(state(ids[1]), OrderState::Bidding { .. }));

		Market::on_idle(6, Weight::MAX);
		assert!(ids.iter().all(|id| matches!(state(*id), OrderState::Failed { .. })));
		assert_eq!(DeadlineCursor::<Test>::get(), Some(7));
	});
}

#[test]
fn stale_entries_are_skipped() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = create_order(ALICE);
		commit(P1, id, 80);
		// Advanced by hand before `on_idle` reaches its entry at block 6.
		System::set_block_number(6);
		assert_ok!(Market::advance(RuntimeOrigin::signed(CHARLIE), id));
		System::reset_events();
		let db: frame_support::weights::RuntimeDbWeight =
			<Test as frame_system::Config>::DbWeight::get();
		let used = Market::on_idle(6, Weight::MAX);
		// Cursor read, six buckets (1..=6), one cheap stale entry and the cursor write.
		assert!(used.all_lte(db.reads(1) + db.reads_writes(6, 6) + db.reads(1) + db.writes(1)));
		assert!(market_events().is_empty());
		assert_eq!(state(id), OrderState::Revealing { reveal_ends: 9 });
	});
}

#[test]
fn the_deploy_timeout_cancels_and_forfeits_the_deposit() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = auction(ALICE, &[(P1, 80)]);
		assert_ok!(Market::confirm_order(RuntimeOrigin::signed(P1), id));
		run_to_block(15);
		assert!(emitted(Event::BidDepositForfeited {
			order_id: id,
			provider: P1,
			amount: DEPOSIT
		}));
		assert!(emitted(Event::OrderCancelled {
			order_id: id,
			reason: CloseReason::ProviderDidNotDeploy,
			paid: 0,
			refunded: PREPAY,
			tally: PeriodTally { periods: 3, paid: 0, violated: 0, unsettled: 3 },
		}));
		assert_eq!(provider(P1).active_leases, 0);
		assert_eq!(burned(), DEPOSIT);
	});
}

#[test]
fn ended_orders_are_pruned_after_the_retention_period() {
	ExtBuilder::default().build_and_execute(|| {
		let id = create_order(ALICE);
		assert_ok!(Market::cancel_order(RuntimeOrigin::signed(ALICE), id));
		assert!(matches!(state(id), OrderState::Cancelled { prune_at: 11, .. }));
		run_to_block(10);
		assert!(Orders::<Test>::get(id).is_some());
		assert_noop!(
			Market::advance(RuntimeOrigin::signed(CHARLIE), id),
			Error::<Test>::NothingDue
		);
		run_to_block(12);
		assert!(Orders::<Test>::get(id).is_none());
		assert!(emitted(Event::OrderPruned { order_id: id }));
		assert_eq!(Market::api_order(id), None);
	});
}

#[test]
fn anyone_may_prune_an_expired_order() {
	ExtBuilder::default().build_and_execute(|| {
		let id = create_order(ALICE);
		assert_ok!(Market::cancel_order(RuntimeOrigin::signed(ALICE), id));
		System::set_block_number(11);
		assert_ok!(Market::advance(RuntimeOrigin::signed(CHARLIE), id));
		assert_eq!(last_event(), Event::OrderPruned { order_id: id });
		assert!(Orders::<Test>::get(id).is_none());
	});
}

#[test]
fn calls_through_the_bids_are_charged_for_the_bids_there() {
	use crate::WeightInfo;
	ExtBuilder::default().with_provider(P1, &[0]).with_provider(P2, &[0]).build_and_execute(|| {
		let id = create_order(ALICE);
		let commit_with = |who, existing| {
			let info = Market::commit_bid(RuntimeOrigin::signed(who), id, commitment(who, id, 80))
				.unwrap();
			assert_eq!(info.actual_weight, Some(<() as WeightInfo>::commit_bid(existing)));
		};
		commit_with(P1, 0);
		commit_with(P2, 1);
		let info = Market::cancel_order(RuntimeOrigin::signed(ALICE), id).unwrap();
		assert_eq!(info.actual_weight, Some(<() as WeightInfo>::cancel_order(2)));

		let id = auction(ALICE, &[(P1, 80), (P2, 90)]);
		let info = Market::confirm_order(RuntimeOrigin::signed(P1), id).unwrap();
		assert_eq!(info.actual_weight, Some(<() as WeightInfo>::confirm_order(2)));
	});
}
