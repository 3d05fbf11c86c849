//! The simulation's smoke test: a tiny simulation through the library, with exact checks of
//! what the runtime decided, built block by block and with the idle blocks skipped.

#![allow(clippy::arithmetic_side_effects)]
use defaas_sim::{simulate, Outcome, Params, Strategy, REWARD_UNIT};

/// What must hold when every witness is honest: every period judged by its truth, every
/// witness's FST moved by exactly the payoff table, the supply by exactly the minted rewards
/// and the burned slashes.
fn check_honest(outcome: &Outcome) {
	assert!(outcome.rounds.len() >= 6, "rounds finished: {}", outcome.rounds.len());
	assert_eq!(outcome.no_verdict_rate(), Some(0.0), "every round reached a verdict");
	assert_eq!(outcome.detection_rate().unwrap_or(1.0), 1.0);
	assert_eq!(outcome.false_violation_rate(), Some(0.0));
	assert!(outcome.witnesses.iter().all(|w| w.strategy == Strategy::Honest));
	// +1 unit per member of a clean period, +10 per member of a violated one.
	let rewards: i128 = outcome
		.rounds
		.iter()
		.map(|r| i128::from(r.members) * if r.violated { 10 } else { 1 })
		.sum();
	let gained: i128 = outcome.witnesses.iter().map(|w| w.chain_gain).sum();
	assert_eq!(gained, rewards * REWARD_UNIT as i128, "witnesses gained exactly their rewards");
	let minted: u128 = outcome.eras.iter().map(|e| e.minted).sum();
	let burned: u128 = outcome.eras.iter().map(|e| e.burned).sum();
	assert_eq!(minted as i128, rewards * REWARD_UNIT as i128, "the era records count every reward");
	assert_eq!(outcome.final_issuance + burned, outcome.genesis_issuance + minted);
}

#[test]
fn a_tiny_simulation_block_by_block_and_skipping_idle_blocks() {
	let params = Params {
		blocks: 160,
		witnesses: 6,
		customers: 2,
		providers: 3,
		periods: 4,
		fail_honest: 0.2,
		..Params::default()
	};
	let every_block = simulate(&params, 7);
	check_honest(&every_block);
	assert!(every_block.rounds.iter().any(|r| r.violated), "some period failed");

	// Skipping idle blocks builds fewer blocks and changes no decision of the agents: the same
	// rounds of the same leases, failed or not (committees may differ: BABE's randomness moves
	// with the epochs enacted).
	let skipping = simulate(&Params { skip_idle: true, ..params }, 7);
	check_honest(&skipping);
	let key = |o: &Outcome| -> Vec<(u64, u32, bool)> {
		o.rounds.iter().map(|r| (r.order_id, r.round, r.violated)).collect()
	};
	assert_eq!(key(&every_block), key(&skipping));
}
