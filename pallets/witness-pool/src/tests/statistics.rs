//! The committee draw is uniform over eligible witnesses and never picks the provider or the
//! customer (docs/architecture.md §6.2): 10 000 rounds, each with its own seed, 50 witnesses plus a provider
//! and a customer who are registered witnesses themselves.
//!
//! In every round every witness computes its real VRF output over the round's seed (the output
//! bytes of its sr25519 key over the round transcript — what its signature proves). The
//! provider and customer, whenever below the threshold, sign and try to join through
//! `join_committee` and are refused; of the others below the threshold the `COMMITTEE` lowest
//! sign and join through `join_committee`, which verifies the signature and must derive the
//! same output (the higher ones could only be refused or evicted: the committee is the same).
//! The Select step fills empty seats by seeded sampling. The selection counts of the 50
//! witnesses are then tested against the uniform distribution with Pearson's chi-square test.
//!
//! The rounds run in two threads with their own externalities (the VRF arithmetic dominates;
//! the two halves use disjoint round numbers and thus seeds).

use super::*;
use codec::Encode;
use sp_core::H256;
use std::collections::BTreeMap;

/// Rounds simulated.
const ROUNDS: u32 = 10_000;
/// Threads the rounds are split over.
const THREADS: u32 = 2;
/// Eligible witnesses (accounts `1..=WITNESSES`).
const WITNESSES: u64 = 50;
/// Committee size.
const COMMITTEE: u32 = 3;
/// Critical value of the chi-square distribution with 49 degrees of freedom at p = 0.001.
const CHI_SQUARE_CRITICAL_DF49_P001: f64 = 85.35;

/// What a batch of rounds produced.
#[derive(Default)]
struct Tally {
	/// Selections per witness.
	selected: BTreeMap<AccountId, u64>,
	/// Successful VRF joins.
	joins: u64,
	/// Refused joins of the provider and the customer.
	refused: u64,
	/// Seats filled by seeded sampling.
	seeded: u64,
}

/// Simulate rounds `rounds` of one lease; every round is opened, joined and selected, then
/// dropped (its members get their seats back) so that rounds do not settle.
fn simulate(rounds: core::ops::Range<u32>) -> Tally {
	let everyone: Vec<AccountId> = (1..=WITNESSES).chain([PROVIDER, CUSTOMER]).collect();
	let mut tally = Tally::default();
	ExtBuilder::default().with_witnesses(everyone.clone()).build_and_execute(|| {
		let pairs: Vec<(AccountId, sp_core::sr25519::Pair)> =
			everyone.iter().map(|who| (*who, vrf_pair(*who))).collect();
		assert_ok!(start(&lease_info(ORDER, COMMITTEE, ROUNDS)));
		let now = System::block_number();
		for r in rounds {
			set_randomness(H256(sp_io::hashing::blake2_256(&(b"statistics", r).encode())));
			assert!(WitnessPool::open_round(ORDER, r, now).is_some());
			let record = round(ORDER, r);
			// 52 active witnesses, target 3 × 2.
			assert_eq!(record.threshold, u128::MAX / 52 * 6);
			let transcript = vrf::transcript(&record.seed);
			let mut drawn: Vec<(u128, AccountId)> = pairs
				.iter()
				.filter_map(|(who, pair)| {
					let bytes: [u8; 16] = pair.make_bytes(vrf::OUTPUT_CONTEXT, &transcript);
					let output = u128::from_le_bytes(bytes);
					(output < record.threshold).then_some((output, *who))
				})
				.collect();
			drawn.sort_unstable();
			let mut joined = 0;
			for (output, who) in drawn {
				let excluded = who == PROVIDER || who == CUSTOMER;
				if !excluded && joined == COMMITTEE {
					continue;
				}
				let signature = vrf_sign(who, &record.seed);
				let result =
					WitnessPool::join_committee(RuntimeOrigin::signed(who), ORDER, r, signature);
				if excluded {
					assert_eq!(result, Err(Error::<Test>::Ineligible.into()));
					tally.refused += 1;
					continue;
				}
				assert_ok!(result);
				joined += 1;
				tally.joins += 1;
				// The chain derived the same output from the signature.
				assert_eq!(
					last_event(),
					Event::CommitteeJoined {
						order_id: ORDER,
						round: r,
						witness: who,
						output,
						evicted: None
					}
				);
			}
			assert!(WitnessPool::select_committee(ORDER, r).is_some());
			let record = round(ORDER, r);
			assert_eq!(record.members.len(), COMMITTEE as usize, "round {r} is full");
			for member in record.members.iter() {
				*tally.selected.entry(member.witness).or_default() += 1;
				if member.output.is_none() {
					tally.seeded += 1;
				}
			}
			WitnessPool::remove_round(ORDER, r);
			let _ = Agenda::<Test>::clear(u32::MAX, None);
			System::reset_events();
		}
	});
	tally
}

#[test]
fn committees_are_uniform_over_eligible_witnesses_and_exclude_provider_and_customer() {
	let per_thread = ROUNDS / THREADS;
	let handles: Vec<_> = (0..THREADS)
		.map(|t| std::thread::spawn(move || simulate(t * per_thread..(t + 1) * per_thread)))
		.collect();
	let mut tally = Tally::default();
	for handle in handles {
		let part = handle.join().expect("simulation thread");
		for (who, count) in part.selected {
			*tally.selected.entry(who).or_default() += count;
		}
		tally.joins += part.joins;
		tally.refused += part.refused;
		tally.seeded += part.seeded;
	}

	assert_eq!(tally.selected.get(&PROVIDER), None, "the provider is never selected");
	assert_eq!(tally.selected.get(&CUSTOMER), None, "the customer is never selected");
	let draws: u64 = tally.selected.values().sum();
	assert_eq!(draws, u64::from(ROUNDS * COMMITTEE));
	assert_eq!(draws, tally.joins + tally.seeded);
	let expected = draws as f64 / WITNESSES as f64;
	let chi_square: f64 = (1..=WITNESSES)
		.map(|who| {
			let observed = tally.selected.get(&who).copied().unwrap_or(0) as f64;
			(observed - expected).powi(2) / expected
		})
		.sum();
	println!(
		"committee draw: {ROUNDS} rounds, {draws} draws ({} VRF joins, {} seeded, {} refused \
		 provider/customer joins), chi-square {chi_square:.2} (df 49, critical \
		 {CHI_SQUARE_CRITICAL_DF49_P001} at p = 0.001)",
		tally.joins, tally.seeded, tally.refused
	);
	assert!(
		chi_square < CHI_SQUARE_CRITICAL_DF49_P001,
		"selection counts are not uniform: chi-square {chi_square:.2}"
	);
	assert!(tally.refused > 0, "provider and customer were drawn and refused");
	assert!(tally.seeded > 0, "seeded sampling filled some seats");
}
