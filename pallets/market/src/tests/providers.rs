//! Provider registration, updates, heartbeats, reputation and leaving.

use super::*;

fn levels(ids: &[LevelId]) -> BoundedVec<LevelId, frame_support::traits::ConstU32<4>> {
	BoundedVec::truncate_from(ids.to_vec())
}

fn register(who: AccountId, stake: Balance, ids: &[LevelId]) -> sp_runtime::DispatchResult {
	Market::register_provider(RuntimeOrigin::signed(who), stake, endpoint(), levels(ids), hb(who))
}

#[test]
fn registering_holds_the_stake() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(register(P1, 1_500, &[0, 3]));
		assert_eq!(
			last_event(),
			Event::ProviderRegistered { provider: P1, stake: 1_500, heartbeat_key: hb(P1) }
		);
		assert_eq!(held(P1, HoldReason::ProviderStake), 1_500);
		assert_eq!(free(P1), INITIAL_BALANCE - 1_500);
		let p = provider(P1);
		assert_eq!(p.levels.to_vec(), vec![0, 3]);
		assert_eq!(p.last_heartbeat, None);
		assert_eq!(p.reputation(), Permill::from_percent(50));
		// Not online before the first heartbeat.
		assert!(!Market::api_provider(P1).unwrap().online);
	});
}

#[test]
fn registration_rejects_bad_input() {
	ExtBuilder::default().with_provider(P2, &[0]).build_and_execute(|| {
		assert_noop!(register(P2, STAKE, &[0]), Error::<Test>::AlreadyRegistered);
		assert_noop!(register(P1, STAKE - 1, &[0]), Error::<Test>::StakeTooLow);
		assert_noop!(
			Market::register_provider(
				RuntimeOrigin::signed(P1),
				STAKE,
				BoundedVec::new(),
				levels(&[0]),
				hb(P1)
			),
			Error::<Test>::EmptyEndpoint
		);
		assert_noop!(register(P1, STAKE, &[]), Error::<Test>::NoLevels);
		assert_noop!(register(P1, STAKE, &[0, 9]), Error::<Test>::UnknownLevel);
		assert_noop!(register(P1, STAKE, &[1, 1]), Error::<Test>::DuplicateLevel);
		assert_noop!(
			Market::register_provider(
				RuntimeOrigin::signed(P1),
				STAKE,
				endpoint(),
				levels(&[0]),
				hb(P2)
			),
			Error::<Test>::HeartbeatKeyInUse
		);
		assert_noop!(register(P1, INITIAL_BALANCE, &[0]), Error::<Test>::InsufficientBalance);
	});
}

#[test]
fn heartbeats_keep_a_provider_online() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(register(P1, STAKE, &[0, 1]));
		let capacity = BoundedVec::truncate_from(vec![(0, 5), (1, 2)]);
		assert_ok!(Market::heartbeat(RuntimeOrigin::signed(hb(P1)), capacity));
		assert_eq!(last_event(), Event::HeartbeatReceived { provider: P1 });
		let view = Market::api_provider(P1).unwrap();
		assert!(view.online);
		assert_eq!(view.capacity, vec![(0, 5), (1, 2)]);
		assert_eq!(view.last_heartbeat, Some(1));

		// Online for `heartbeat_grace` (10) blocks, offline afterwards.
		run_to_block(11);
		assert!(Market::api_provider(P1).unwrap().online);
		run_to_block(12);
		assert!(!Market::api_provider(P1).unwrap().online);
		beat(P1);
		assert!(Market::api_provider(P1).unwrap().online);
	});
}

#[test]
fn heartbeat_rejects_bad_input() {
	ExtBuilder::default().with_provider(P1, &[0, 1]).build_and_execute(|| {
		assert_noop!(
			Market::heartbeat(RuntimeOrigin::signed(P1), BoundedVec::new()),
			Error::<Test>::UnknownHeartbeatKey
		);
		assert_noop!(
			Market::heartbeat(
				RuntimeOrigin::signed(hb(P1)),
				BoundedVec::truncate_from(vec![(0, 1), (2, 1)])
			),
			Error::<Test>::CapacityForUnofferedLevel
		);
		assert_noop!(
			Market::heartbeat(
				RuntimeOrigin::signed(hb(P1)),
				BoundedVec::truncate_from(vec![(1, 1), (1, 2)])
			),
			Error::<Test>::DuplicateLevel
		);
	});
}

#[test]
fn providers_update_endpoint_and_levels() {
	ExtBuilder::default().with_provider(P1, &[0, 1]).build_and_execute(|| {
		assert_ok!(Market::heartbeat(
			RuntimeOrigin::signed(hb(P1)),
			BoundedVec::truncate_from(vec![(0, 5), (1, 2)])
		));
		let new_endpoint = BoundedVec::truncate_from(b"https://new.example".to_vec());
		assert_ok!(Market::update_provider(
			RuntimeOrigin::signed(P1),
			new_endpoint.clone(),
			levels(&[1, 2])
		));
		assert_eq!(last_event(), Event::ProviderUpdated { provider: P1 });
		let p = provider(P1);
		assert_eq!(p.endpoint, new_endpoint);
		assert_eq!(p.levels.to_vec(), vec![1, 2]);
		// Capacity of the dropped level 0 is gone.
		assert_eq!(p.capacity.to_vec(), vec![(1, 2)]);

		assert_noop!(
			Market::update_provider(RuntimeOrigin::signed(P2), endpoint(), levels(&[0])),
			Error::<Test>::NotProvider
		);
		assert_noop!(
			Market::update_provider(RuntimeOrigin::signed(P1), BoundedVec::new(), levels(&[0])),
			Error::<Test>::EmptyEndpoint
		);
		assert_noop!(
			Market::update_provider(RuntimeOrigin::signed(P1), endpoint(), levels(&[7])),
			Error::<Test>::UnknownLevel
		);
	});
}

#[test]
fn leaving_with_a_good_reputation_releases_the_stake() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		assert_ok!(Market::unregister_provider(RuntimeOrigin::signed(P1)));
		assert_eq!(
			last_event(),
			Event::ProviderUnregistered { provider: P1, released: STAKE, slashed: 0 }
		);
		assert_eq!(held(P1, HoldReason::ProviderStake), 0);
		assert_eq!(free(P1), INITIAL_BALANCE);
		assert!(Providers::<Test>::get(P1).is_none());
		// The heartbeat key is free again.
		assert_noop!(
			Market::heartbeat(RuntimeOrigin::signed(hb(P1)), BoundedVec::new()),
			Error::<Test>::UnknownHeartbeatKey
		);
		assert_noop!(
			Market::unregister_provider(RuntimeOrigin::signed(P1)),
			Error::<Test>::NotProvider
		);
	});
}

#[test]
fn cannot_leave_with_an_open_bid_or_a_lease() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = create_order(ALICE);
		commit(P1, id, 80);
		assert_noop!(
			Market::unregister_provider(RuntimeOrigin::signed(P1)),
			Error::<Test>::HasOpenBids
		);
		run_to_block(6);
		reveal(P1, id, 80);
		run_to_block(10);
		assert_ok!(Market::confirm_order(RuntimeOrigin::signed(P1), id));
		// The winner's bid deposit stays held until it fulfils, but the reason a person can act
		// on is the lease it won and has not deployed.
		assert_eq!(provider(P1).open_bids, 1);
		assert_noop!(
			Market::unregister_provider(RuntimeOrigin::signed(P1)),
			Error::<Test>::HasActiveLeases
		);
		assert_ok!(Market::fulfill(RuntimeOrigin::signed(P1), id));
		assert_eq!(provider(P1).open_bids, 0);
		assert_noop!(
			Market::unregister_provider(RuntimeOrigin::signed(P1)),
			Error::<Test>::HasActiveLeases
		);
	});
}

#[test]
fn leaving_with_a_bad_reputation_slashes_the_stake() {
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let id = create_order_with(ALICE, 0, 1, PRICE, None);
		commit(P1, id, 80);
		run_to_block(6);
		reveal(P1, id, 80);
		run_to_block(10);
		assert_ok!(Market::confirm_order(RuntimeOrigin::signed(P1), id));
		assert_ok!(Market::fulfill(RuntimeOrigin::signed(P1), id));
		assert_ok!(verdict(id, 0, Verdict::Violated));
		assert!(matches!(state(id), OrderState::Finished { .. }));
		// (0 + 1) / (1 + 2) = 33.3% < 40%.
		assert_eq!(provider(P1).reputation(), Permill::from_parts(333_333));
		let stake = STAKE - SLASH;
		assert_eq!(provider(P1).stake, stake);

		assert_ok!(Market::unregister_provider(RuntimeOrigin::signed(P1)));
		assert_eq!(
			last_event(),
			Event::ProviderUnregistered { provider: P1, released: 0, slashed: stake }
		);
		assert_eq!(burned(), stake);
		assert_eq!(held(P1, HoldReason::ProviderStake), 0);
	});
}

#[test]
fn reputation_is_a_decayed_beta_estimate() {
	assert_eq!(reputation_of(0, 0), Permill::from_percent(50));
	assert_eq!(reputation_of(REPUTATION_SCALE, 0), Permill::from_parts(666_666));
	assert_eq!(reputation_of(0, REPUTATION_SCALE), Permill::from_parts(333_333));
	assert_eq!(reputation_of(8 * REPUTATION_SCALE, 0), Permill::from_percent(90));
	ExtBuilder::default().with_provider(P1, &[0]).build_and_execute(|| {
		let mut p = provider(P1);
		Market::record_period(&mut p, false);
		assert_eq!(p.successes, REPUTATION_SCALE);
		Market::record_period(&mut p, false);
		// 5% of the old count is forgotten before adding the new period.
		assert_eq!(p.successes, REPUTATION_SCALE * 95 / 100 + REPUTATION_SCALE);
		Market::record_period(&mut p, true);
		assert_eq!(p.violations, REPUTATION_SCALE);
		assert!(p.reputation() > Permill::from_percent(50));
		// Saturates instead of overflowing.
		p.successes = u64::MAX;
		Market::record_period(&mut p, false);
		assert!(p.successes > 0);
	});
}

#[test]
fn try_state_finds_a_hold_the_market_has_no_record_of() {
	use frame_support::traits::{fungible::MutateHold, tokens::Precision};
	ExtBuilder::default().with_provider(P1, &[0]).build().execute_with(|| {
		assert_eq!(Market::do_try_state(), Ok(()));
		// A stake held beyond the provider's record.
		let stake: RuntimeHoldReason = HoldReason::ProviderStake.into();
		assert_ok!(Balances::hold(&stake, &P1, 1));
		assert!(Market::do_try_state().is_err());
		assert_ok!(Balances::release(&stake, &P1, 1, Precision::Exact));
		assert_eq!(Market::do_try_state(), Ok(()));
		// A hold for a market reason on an account without any record: a leak.
		let deposit: RuntimeHoldReason = HoldReason::BidDeposit.into();
		assert_ok!(Balances::hold(&deposit, &BOB, 1));
		assert_eq!(
			Market::do_try_state(),
			Err(sp_runtime::TryRuntimeError::Other("currency hold without records"))
		);
	});
}
