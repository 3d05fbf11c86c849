//! Registration, leaving, the dense index and the stake hold.

use super::*;

#[test]
fn registration_holds_the_stake_and_activates_after_the_delay() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(WitnessPool::register_witness(RuntimeOrigin::signed(1), 500, vrf_key(1)));
		assert_eq!(
			last_event(),
			Event::WitnessRegistered {
				witness: 1,
				stake: 500,
				vrf_key: vrf_key(1),
				active_from: START + 5
			}
		);
		let record = witness(1);
		assert_eq!(
			record,
			WitnessRecord {
				vrf_key: vrf_key(1),
				stake: 500,
				registered_at: START,
				active_from: START + 5,
				reputation: 100,
				suspended: false,
				seats: 0,
				index: 0,
			}
		);
		assert_eq!(held(1), 500);
		assert_eq!(free(1), INITIAL_BALANCE - 500);
		assert_eq!(VrfKeys::<Test>::get(vrf_key(1)), Some(1));
		assert_eq!(WitnessAt::<Test>::get(0), Some(1));
		assert_eq!((WitnessCount::<Test>::get(), ActiveCount::<Test>::get()), (1, 1));
		let view = WitnessPool::api_witness(1).unwrap();
		assert!(!view.active, "not active before the delay");
		run_to_block(START + 5);
		assert!(WitnessPool::api_witness(1).unwrap().active);
	});
}

#[test]
fn genesis_witnesses_are_registered_and_active_from_the_first_block() {
	ExtBuilder::default().with_genesis_witnesses([4, 5]).build_and_execute(|| {
		for (index, who) in [4u64, 5].into_iter().enumerate() {
			let record = witness(who);
			assert_eq!((record.vrf_key, record.stake), (vrf_key(who), STAKE));
			assert_eq!((record.registered_at, record.active_from), (0, 0));
			assert_eq!(record.index, index as u32);
			assert_eq!(held(who), STAKE);
			assert_eq!(VrfKeys::<Test>::get(vrf_key(who)), Some(who));
			assert!(WitnessPool::api_witness(who).unwrap().active);
		}
		assert_eq!((WitnessCount::<Test>::get(), ActiveCount::<Test>::get()), (2, 2));
		// They behave like any witness: a later registration takes the next index.
		assert_ok!(WitnessPool::register_witness(RuntimeOrigin::signed(6), STAKE, vrf_key(6)));
		assert_eq!(witness(6).index, 2);
	});
}

#[test]
#[should_panic(expected = "genesis witness")]
fn a_genesis_witness_without_funds_fails_the_genesis_build() {
	ExtBuilder::default().with_balance(7, 0).with_genesis_witnesses([7]).build();
}

#[test]
fn registration_rejects_bad_input() {
	ExtBuilder::default().with_witnesses([1]).with_balance(3, 150).build_and_execute(|| {
		assert_noop!(
			WitnessPool::register_witness(RuntimeOrigin::signed(2), 99, vrf_key(2)),
			Error::<Test>::StakeTooLow
		);
		assert_noop!(
			WitnessPool::register_witness(RuntimeOrigin::signed(1), STAKE, vrf_key(11)),
			Error::<Test>::AlreadyRegistered
		);
		assert_noop!(
			WitnessPool::register_witness(RuntimeOrigin::signed(2), STAKE, vrf_key(1)),
			Error::<Test>::KeyInUse
		);
		assert_noop!(
			WitnessPool::register_witness(RuntimeOrigin::signed(3), 200, vrf_key(3)),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(
			WitnessPool::register_witness(RuntimeOrigin::signed(NOBODY), STAKE, vrf_key(NOBODY)),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(
			WitnessPool::register_witness(RuntimeOrigin::root(), STAKE, vrf_key(2)),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn registration_stops_at_max_witnesses() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		MaxWitnesses::set(3);
		assert_noop!(
			WitnessPool::register_witness(RuntimeOrigin::signed(4), STAKE, vrf_key(4)),
			Error::<Test>::TooManyWitnesses
		);
		assert_ok!(WitnessPool::unregister_witness(RuntimeOrigin::signed(2)));
		assert_ok!(WitnessPool::register_witness(RuntimeOrigin::signed(4), STAKE, vrf_key(4)));
	});
}

#[test]
fn leaving_with_a_good_reputation_releases_the_stake_and_swap_removes() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		assert_ok!(WitnessPool::unregister_witness(RuntimeOrigin::signed(1)));
		assert_eq!(
			last_event(),
			Event::WitnessUnregistered { witness: 1, refunded: STAKE, slashed: 0 }
		);
		assert_eq!(free(1), INITIAL_BALANCE);
		assert_eq!(held(1), 0);
		assert!(Witnesses::<Test>::get(1).is_none());
		assert!(VrfKeys::<Test>::get(vrf_key(1)).is_none());
		// The last witness moved into the freed slot.
		assert_eq!(WitnessAt::<Test>::get(0), Some(3));
		assert_eq!(witness(3).index, 0);
		assert_eq!(WitnessAt::<Test>::get(2), None);
		assert_eq!((WitnessCount::<Test>::get(), ActiveCount::<Test>::get()), (2, 2));
		// The key may be registered again.
		assert_ok!(WitnessPool::register_witness(RuntimeOrigin::signed(4), STAKE, vrf_key(1)));
		assert_eq!(witness(4).index, 2);
	});
}

#[test]
fn leaving_with_a_bad_reputation_burns_the_stake() {
	ExtBuilder::default().with_witnesses(1..=2).build_and_execute(|| {
		Witnesses::<Test>::mutate(2, |w| w.as_mut().unwrap().reputation = 49);
		let before = issuance();
		assert_ok!(WitnessPool::unregister_witness(RuntimeOrigin::signed(2)));
		assert_eq!(
			last_event(),
			Event::WitnessUnregistered { witness: 2, refunded: 0, slashed: STAKE }
		);
		assert_eq!(free(2), INITIAL_BALANCE - STAKE);
		assert_eq!(held(2), 0);
		assert_eq!(issuance(), before - STAKE);
		assert!(token_events().contains(&pallet_faas_token::Event::Slashed {
			who: 2,
			amount: STAKE,
			burned: true
		}));
		// At exactly the threshold the stake comes back.
		Witnesses::<Test>::mutate(1, |w| w.as_mut().unwrap().reputation = 50);
		assert_ok!(WitnessPool::unregister_witness(RuntimeOrigin::signed(1)));
		assert_eq!(free(1), INITIAL_BALANCE);
	});
}

#[test]
fn leaving_a_suspended_witness_keeps_the_active_count() {
	ExtBuilder::default().with_witnesses(1..=2).build_and_execute(|| {
		Witnesses::<Test>::mutate(2, |w| {
			let w = w.as_mut().unwrap();
			w.reputation = 0;
			w.suspended = true;
		});
		ActiveCount::<Test>::put(1);
		assert_ok!(WitnessPool::unregister_witness(RuntimeOrigin::signed(2)));
		assert_eq!((WitnessCount::<Test>::get(), ActiveCount::<Test>::get()), (1, 1));
	});
}

#[test]
fn leaving_is_refused_to_strangers_and_committee_members() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		assert_noop!(
			WitnessPool::unregister_witness(RuntimeOrigin::signed(4)),
			Error::<Test>::NotRegistered
		);
		seated(&[1, 2]);
		assert_eq!(witness(1).seats, 1);
		assert_noop!(
			WitnessPool::unregister_witness(RuntimeOrigin::signed(1)),
			Error::<Test>::InCommittee
		);
		// Witness 3 sits nowhere.
		assert_ok!(WitnessPool::unregister_witness(RuntimeOrigin::signed(3)));
		// Once the round settles the seat is free again.
		for who in [1, 2] {
			assert_ok!(commit(who, ORDER, 0, false));
		}
		run_to_block(COMMIT_END_0);
		for who in [1, 2] {
			assert_ok!(reveal(who, ORDER, 0, false));
		}
		run_to_block(REVEAL_END_0);
		assert_eq!(witness(1).seats, 0);
		assert_ok!(WitnessPool::unregister_witness(RuntimeOrigin::signed(1)));
	});
}
