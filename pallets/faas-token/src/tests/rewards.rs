//! `RewardMinter`: minting under the per-era issuance budget.
//!
//! The default test runtime issues 1 000 000 at genesis with 10 % yearly inflation and eras of
//! 1/100 year, so every era starts with a budget of 1 000 (until issuance changes).

use super::{current_era, free_balance, total_issuance};
use crate::{mock::*, Event, RewardMinter};
use sp_runtime::{DispatchError, TokenError};

const GENESIS_ISSUANCE: Balance = 4 * INITIAL_BALANCE;

fn mint(rewards: &[(AccountId, Balance)]) -> Balance {
	<FaasToken as RewardMinter<_, _>>::mint_rewards(rewards)
}

#[test]
fn rewards_within_the_budget_are_minted_in_full() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(current_era().budget, 1_000);

		assert_eq!(mint(&[(ALICE, 100), (EVE, 50)]), 150);

		assert_eq!(free_balance(ALICE), INITIAL_BALANCE + 100);
		assert_eq!(free_balance(EVE), 50);
		assert_eq!(total_issuance(), GENESIS_ISSUANCE + 150);
		assert_eq!(current_era().minted, 150);
		System::assert_has_event(Event::RewardMinted { who: ALICE, amount: 100 }.into());
		System::assert_last_event(Event::RewardMinted { who: EVE, amount: 50 }.into());
		assert!(!token_events().iter().any(|e| matches!(e, Event::RewardsScaledDown { .. })));
	});
}

#[test]
fn a_batch_over_the_budget_is_scaled_down_by_one_ratio() {
	ExtBuilder::default().build_and_execute(|| {
		// 2 000 requested against a budget of 1 000: every reward is halved.
		assert_eq!(mint(&[(ALICE, 600), (BOB, 600), (CHARLIE, 800)]), 1_000);

		assert_eq!(free_balance(ALICE), INITIAL_BALANCE + 300);
		assert_eq!(free_balance(BOB), INITIAL_BALANCE + 300);
		assert_eq!(free_balance(CHARLIE), INITIAL_BALANCE + 400);
		assert_eq!(total_issuance(), GENESIS_ISSUANCE + 1_000);
		assert_eq!(current_era().minted, 1_000);
		System::assert_has_event(Event::RewardMinted { who: ALICE, amount: 300 }.into());
		System::assert_has_event(Event::RewardMinted { who: BOB, amount: 300 }.into());
		System::assert_has_event(Event::RewardMinted { who: CHARLIE, amount: 400 }.into());
		System::assert_last_event(
			Event::RewardsScaledDown { requested: 2_000, minted: 1_000 }.into(),
		);
	});
}

#[test]
fn scaling_uses_what_is_left_of_the_budget() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(mint(&[(ALICE, 400)]), 400);
		// 600 left, 1 200 requested: ratio 1/2.
		assert_eq!(mint(&[(BOB, 900), (CHARLIE, 300)]), 600);

		assert_eq!(free_balance(BOB), INITIAL_BALANCE + 450);
		assert_eq!(free_balance(CHARLIE), INITIAL_BALANCE + 150);
		assert_eq!(current_era().minted, 1_000);
		System::assert_last_event(
			Event::RewardsScaledDown { requested: 1_200, minted: 600 }.into(),
		);
	});
}

#[test]
fn scaling_rounds_down_and_never_exceeds_the_budget() {
	ExtBuilder::default().build_and_execute(|| {
		// 2 001 requested against 1 000: 1 × 1000/2001 rounds to 0, 1 999 × 1000/2001 to 999.
		assert_eq!(mint(&[(ALICE, 1), (BOB, 1), (CHARLIE, 1_999)]), 999);

		assert_eq!(free_balance(ALICE), INITIAL_BALANCE);
		assert_eq!(free_balance(BOB), INITIAL_BALANCE);
		assert_eq!(free_balance(CHARLIE), INITIAL_BALANCE + 999);
		assert_eq!(current_era().minted, 999);
		System::assert_last_event(
			Event::RewardsScaledDown { requested: 2_001, minted: 999 }.into(),
		);
	});
}

#[test]
fn an_exhausted_budget_mints_nothing_and_says_so() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(mint(&[(ALICE, 1_000)]), 1_000);
		assert_eq!(mint(&[(BOB, 10)]), 0);

		assert_eq!(free_balance(BOB), INITIAL_BALANCE);
		assert_eq!(current_era().minted, 1_000);
		System::assert_last_event(Event::RewardsScaledDown { requested: 10, minted: 0 }.into());
	});
}

#[test]
fn the_budget_renews_in_the_next_era() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(mint(&[(ALICE, 5_000)]), 1_000);
		run_to_block(1 + ERA_LENGTH);

		// 10 % of 1 001 000 per year, 1/100 of it per era.
		assert_eq!(current_era().index, 1);
		assert_eq!(current_era().budget, 1_001);
		assert_eq!(mint(&[(ALICE, 500)]), 500);
	});
}

#[test]
fn empty_and_zero_batches_mint_nothing_silently() {
	ExtBuilder::default().build_and_execute(|| {
		let events_before = System::events().len();
		assert_eq!(mint(&[]), 0);
		assert_eq!(mint(&[(ALICE, 0), (BOB, 0)]), 0);
		assert_eq!(System::events().len(), events_before);
		assert_eq!(current_era().minted, 0);
	});
}

#[test]
fn a_failed_mint_is_reported_and_does_not_use_the_budget() {
	ExtBuilder::default().existential_deposit(10).build_and_execute(|| {
		// EVE does not exist and 5 is below the existential deposit.
		assert_eq!(mint(&[(EVE, 5), (ALICE, 20)]), 20);

		assert_eq!(free_balance(EVE), 0);
		assert_eq!(free_balance(ALICE), INITIAL_BALANCE + 20);
		assert_eq!(current_era().minted, 20);
		System::assert_has_event(
			Event::RewardMintFailed {
				who: EVE,
				amount: 5,
				error: DispatchError::Token(TokenError::BelowMinimum),
			}
			.into(),
		);
		System::assert_last_event(Event::RewardMinted { who: ALICE, amount: 20 }.into());
	});
}

#[test]
fn zero_inflation_scales_every_reward_to_nothing() {
	ExtBuilder::default().yearly_inflation(sp_runtime::Perbill::zero()).build_and_execute(|| {
		assert_eq!(current_era().budget, 0);
		assert_eq!(mint(&[(ALICE, 100)]), 0);
		assert_eq!(total_issuance(), GENESIS_ISSUANCE);
		System::assert_last_event(Event::RewardsScaledDown { requested: 100, minted: 0 }.into());
	});
}

#[test]
fn unit_reward_minter_mints_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(<() as RewardMinter<AccountId, Balance>>::mint_rewards(&[(ALICE, 100)]), 0);
		assert_eq!(total_issuance(), GENESIS_ISSUANCE);
	});
}
