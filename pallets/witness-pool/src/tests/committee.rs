//! Opening rounds, joining committees by VRF (and forgeries), seeded sampling.

use super::*;
use codec::Encode;
use sp_core::H256;

/// The witnesses sorted by their VRF output in round `r` (lowest first).
fn by_output(witnesses: &[AccountId], r: u32) -> Vec<AccountId> {
	let mut sorted = witnesses.to_vec();
	sorted.sort_by_key(|who| output(*who, ORDER, r));
	sorted
}

#[test]
fn a_round_opens_with_the_seed_of_the_randomness_order_and_round() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		let random = H256::repeat_byte(0x42);
		set_randomness(random);
		monitor(ORDER, 3, 2);
		run_to_block(OPEN_0);
		let seed = sp_io::hashing::blake2_256(&(random, ORDER, 0u32).encode());
		let record = round(ORDER, 0);
		assert_eq!(record.seed, seed);
		assert_eq!(WitnessPool::round_seed(ORDER, 0), seed);
		assert_eq!(
			(record.opened_at, record.join_end, record.commit_end, record.reveal_end),
			(OPEN_0, JOIN_END_0, COMMIT_END_0, REVEAL_END_0)
		);
		assert_eq!(record.phase, RoundPhase::Joining);
		assert!(record.members.is_empty());
		assert_eq!(
			last_event(),
			Event::RoundOpened {
				order_id: ORDER,
				round: 0,
				seed,
				join_end: JOIN_END_0,
				threshold: u128::MAX
			}
		);
		// Round 1 gets another seed from the same randomness.
		run_to_block(20);
		assert_eq!(
			round(ORDER, 1).seed,
			sp_io::hashing::blake2_256(&(random, ORDER, 1u32).encode())
		);
		assert_eq!(WitnessPool::api_open_rounds().len(), 2);
	});
}

#[test]
fn the_threshold_lets_about_join_factor_times_the_committee_join() {
	ExtBuilder::default().with_witnesses(1..=10).build_and_execute(|| {
		// 10 active witnesses, target 2 × 2 = 4.
		assert_eq!(WitnessPool::threshold(2), u128::MAX / 10 * 4);
		assert_eq!(WitnessPool::threshold(5), u128::MAX);
		assert_eq!(WitnessPool::threshold(7), u128::MAX);
		monitor(ORDER, 2, 1);
		run_to_block(OPEN_0);
		assert_eq!(round(ORDER, 0).threshold, u128::MAX / 10 * 4);
	});
}

#[test]
fn joins_keep_the_lowest_outputs_sorted() {
	ExtBuilder::default().with_witnesses(1..=4).build_and_execute(|| {
		monitor(ORDER, 3, 1);
		run_to_block(OPEN_0);
		let sorted = by_output(&[1, 2, 3, 4], 0);
		let (lowest, highest) = (sorted[0], sorted[3]);
		// Join in descending order of output: the committee fills, then the highest is evicted.
		for who in sorted.iter().rev().take(3) {
			assert_ok!(join(*who, ORDER, 0));
		}
		assert_eq!(members(ORDER, 0), sorted[1..].to_vec());
		assert_eq!(witness(highest).seats, 1);
		assert_ok!(join(lowest, ORDER, 0));
		assert_eq!(
			last_event(),
			Event::CommitteeJoined {
				order_id: ORDER,
				round: 0,
				witness: lowest,
				output: output(lowest, ORDER, 0),
				evicted: Some(highest),
			}
		);
		assert_eq!(members(ORDER, 0), sorted[..3].to_vec());
		assert_eq!(witness(highest).seats, 0);
		assert_eq!(witness(lowest).seats, 1);
		let outputs: Vec<_> = round(ORDER, 0).members.iter().map(|m| m.output.unwrap()).collect();
		assert!(outputs.windows(2).all(|w| w[0] <= w[1]));
		// The evicted witness cannot come back: its output is above the committee's highest.
		assert_noop!(join(highest, ORDER, 0), Error::<Test>::NotSelected);
		assert_eq!(WitnessPool::api_committee(ORDER, 0), Some(sorted[..3].to_vec()));
	});
}

#[test]
fn join_rejects_unknown_rounds_and_closed_windows() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		monitor(ORDER, 2, 1);
		assert_noop!(join_with_seed(1, ORDER, 0, [0; 32]), Error::<Test>::RoundNotFound);
		run_to_block(OPEN_0);
		assert_noop!(join_with_seed(1, ORDER, 1, [0; 32]), Error::<Test>::RoundNotFound);
		assert_noop!(join_with_seed(1, 8, 0, [0; 32]), Error::<Test>::RoundNotFound);
		run_to_block(JOIN_END_0);
		// The committee was completed by seeded sampling in block 13.
		assert_noop!(join(3, ORDER, 0), Error::<Test>::JoinWindowClosed);
	});
}

/// `who` joins with its signature over `seed` (whatever the round's seed is).
fn join_with_seed(who: AccountId, order_id: OrderId, r: u32, seed: [u8; 32]) -> DispatchResult {
	WitnessPool::join_committee(RuntimeOrigin::signed(who), order_id, r, vrf_sign(who, &seed))
}

#[test]
fn join_rejects_ineligible_witnesses() {
	ExtBuilder::default().with_witnesses([1, 2, 3, PROVIDER, CUSTOMER]).build_and_execute(|| {
		// 6 is registered now: active from START + 5, after round 0 opens.
		assert_ok!(WitnessPool::register_witness(RuntimeOrigin::signed(6), STAKE, vrf_key(6)));
		Witnesses::<Test>::mutate(3, |w| {
			let w = w.as_mut().unwrap();
			w.reputation = 0;
			w.suspended = true;
		});
		ActiveCount::<Test>::mutate(|a| *a -= 1);
		monitor(ORDER, 3, 1);
		run_to_block(OPEN_0);
		assert_eq!(round(ORDER, 0).threshold, u128::MAX);
		assert_noop!(join(40, ORDER, 0), Error::<Test>::NotRegistered);
		assert_noop!(join(3, ORDER, 0), Error::<Test>::Suspended);
		assert_noop!(join(6, ORDER, 0), Error::<Test>::NotYetActive);
		assert_noop!(join(PROVIDER, ORDER, 0), Error::<Test>::Ineligible);
		assert_noop!(join(CUSTOMER, ORDER, 0), Error::<Test>::Ineligible);
		assert_ok!(join(1, ORDER, 0));
		assert_noop!(join(1, ORDER, 0), Error::<Test>::AlreadyJoined);
	});
}

#[test]
fn forged_vrf_signatures_are_rejected() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		monitor(ORDER, 2, 2);
		run_to_block(OPEN_0);
		let seed = round(ORDER, 0).seed;
		let submit = |who: AccountId, signature: VrfSignature| {
			WitnessPool::join_committee(RuntimeOrigin::signed(who), ORDER, 0, signature)
		};
		// Random bytes: not a valid point and proof.
		let random = VrfSignature { pre_output: [0x5a; 32], proof: [0xa5; 64] };
		assert_noop!(submit(1, random), Error::<Test>::InvalidVrfSignature);
		let zeros = VrfSignature { pre_output: [0; 32], proof: [0; 64] };
		assert_noop!(submit(1, zeros), Error::<Test>::InvalidVrfSignature);
		// A valid signature by another witness's key.
		assert_noop!(submit(1, vrf_sign(2, &seed)), Error::<Test>::InvalidVrfSignature);
		// A valid signature over another round's seed (and another order's).
		let other_round = sp_io::hashing::blake2_256(&(H256::repeat_byte(7), ORDER, 1u32).encode());
		assert_noop!(submit(1, vrf_sign(1, &other_round)), Error::<Test>::InvalidVrfSignature);
		let other_order = sp_io::hashing::blake2_256(&(H256::repeat_byte(7), 8u64, 0u32).encode());
		assert_noop!(submit(1, vrf_sign(1, &other_order)), Error::<Test>::InvalidVrfSignature);
		// A genuine signature with a tampered proof or pre-output.
		let mut tampered = vrf_sign(1, &seed);
		tampered.proof[0] ^= 1;
		assert_noop!(submit(1, tampered), Error::<Test>::InvalidVrfSignature);
		let mut tampered = vrf_sign(1, &seed);
		tampered.pre_output = vrf_sign(2, &seed).pre_output;
		assert_noop!(submit(1, tampered), Error::<Test>::InvalidVrfSignature);
		// The genuine one works.
		assert_ok!(submit(1, vrf_sign(1, &seed)));
		assert_eq!(members(ORDER, 0), vec![1]);
	});
}

#[test]
fn outputs_at_or_above_the_threshold_cannot_join() {
	ExtBuilder::default().with_witnesses(1..=30).build_and_execute(|| {
		monitor(ORDER, 1, 1);
		run_to_block(OPEN_0);
		let threshold = round(ORDER, 0).threshold;
		assert_eq!(threshold, u128::MAX / 30 * 2);
		let (below, above): (Vec<AccountId>, Vec<AccountId>) =
			(1..=30).partition(|who| output(*who, ORDER, 0) < threshold);
		assert!(!above.is_empty() && !below.is_empty(), "both kinds among 30 witnesses");
		for who in above {
			assert_noop!(join(who, ORDER, 0), Error::<Test>::AboveThreshold);
		}
		let best = by_output(&below, 0)[0];
		assert_ok!(join(best, ORDER, 0));
		for who in below.into_iter().filter(|who| *who != best) {
			assert_noop!(join(who, ORDER, 0), Error::<Test>::NotSelected);
		}
	});
}

#[test]
fn seeded_sampling_fills_empty_seats_with_eligible_witnesses_only() {
	ExtBuilder::default().with_witnesses([1, 2, 3, 4, 5, 6, PROVIDER, CUSTOMER]).build_and_execute(
		|| {
			// 6 suspended, 7 registered too late: both, like provider and customer, ineligible.
			Witnesses::<Test>::mutate(6, |w| {
				let w = w.as_mut().unwrap();
				w.reputation = 0;
				w.suspended = true;
			});
			ActiveCount::<Test>::mutate(|a| *a -= 1);
			assert_ok!(WitnessPool::register_witness(RuntimeOrigin::signed(7), STAKE, vrf_key(7)));
			monitor(ORDER, 4, 1);
			run_to_block(OPEN_0);
			assert_ok!(join(5, ORDER, 0));
			let seed = round(ORDER, 0).seed;
			run_to_block(JOIN_END_0);

			// The spec's sampling, recomputed independently.
			let count = WitnessCount::<Test>::get();
			let eligible = [1, 2, 3, 4];
			let mut expected = vec![5];
			for i in 0..4 * 4u32 {
				if expected.len() == 4 {
					break;
				}
				let hash = sp_io::hashing::blake2_256(&(seed, b"fill", i).encode());
				let index = u32::from_le_bytes(hash[..4].try_into().unwrap()) % count;
				let candidate = WitnessAt::<Test>::get(index).unwrap();
				if eligible.contains(&candidate) && !expected.contains(&candidate) {
					expected.push(candidate);
				}
			}
			assert_eq!(members(ORDER, 0), expected);
			assert_eq!(
				last_event(),
				Event::CommitteeSelected { order_id: ORDER, round: 0, members: expected.clone() }
			);
			let record = round(ORDER, 0);
			assert_eq!(record.phase, RoundPhase::Reporting);
			assert!(record.members[0].output.is_some());
			assert!(record.members[1..].iter().all(|m| m.output.is_none()));
			for who in [6, 7, PROVIDER, CUSTOMER] {
				assert!(!expected.contains(&who));
			}
			for who in expected {
				assert_eq!(witness(who).seats, 1);
			}
			let view = WitnessPool::api_round(ORDER, 0).unwrap();
			assert!(!view.members[0].seeded);
			assert!(view.members[1..].iter().all(|m| m.seeded));
		},
	);
}

#[test]
fn a_round_nobody_can_sit_in_is_abandoned_without_verdict() {
	ExtBuilder::default().with_witnesses([1, 2]).build_and_execute(|| {
		monitor(ORDER, 2, 1);
		// Both witnesses are suspended after monitoring started.
		for who in [1, 2] {
			Witnesses::<Test>::mutate(who, |w| {
				let w = w.as_mut().unwrap();
				w.reputation = 0;
				w.suspended = true;
			});
		}
		ActiveCount::<Test>::put(0);
		run_to_block(JOIN_END_0);
		assert_eq!(last_event(), Event::RoundAbandoned { order_id: ORDER, round: 0 });
		assert_eq!(round(ORDER, 0).phase, RoundPhase::Abandoned);
		run_to_block(REVEAL_END_0 + 1);
		assert!(verdicts().is_empty(), "never a verdict without a committee");
		assert!(!pool_events().iter().any(|e| matches!(e, Event::RoundSettled { .. })));
		assert!(WitnessPool::api_open_rounds().is_empty());
	});
}

#[test]
fn a_round_without_its_lease_is_reported_inconsistent() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		monitor(ORDER, 2, 1);
		run_to_block(OPEN_0);
		let lease = Leases::<Test>::take(ORDER).unwrap();
		assert_noop!(join(1, ORDER, 0), Error::<Test>::Inconsistent);
		Leases::<Test>::insert(ORDER, lease);
		assert_ok!(join(1, ORDER, 0));
	});
}
