//! Issuance eras: opening, rollover, retention pruning and the yearly inflation.

use super::{current_era, total_issuance};
use crate::{
	mock::*, CurrentEra, EraHistory, EraInfo, EraTotal, EraTotals, Event, RewardMinter, SlashSink,
	YearlyInflation,
};
use frame_support::{assert_noop, assert_ok, traits::fungible::MutateHold};
use sp_runtime::{DispatchError, Perbill};

/// First block of era `index` in the test runtime (era 0 opens in block 1).
fn era_start(index: u64) -> u64 {
	1 + index * ERA_LENGTH
}

fn kept_eras() -> Vec<u32> {
	let mut kept: Vec<u32> = EraTotals::<Test>::iter_keys().collect();
	kept.sort();
	kept
}

#[test]
fn era_zero_opens_in_the_first_block_with_its_budget() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(
			CurrentEra::<Test>::get(),
			Some(EraInfo {
				index: 0,
				start_block: 1,
				budget: 1_000,
				minted: 0,
				burned: 0,
				slashed: 0
			})
		);
		System::assert_has_event(Event::EraStarted { index: 0, budget: 1_000 }.into());
		assert!(kept_eras().is_empty());
	});
}

#[test]
fn the_era_rolls_over_after_era_length_blocks() {
	ExtBuilder::default().build_and_execute(|| {
		run_to_block(era_start(1) - 1);
		assert_eq!(current_era().index, 0);

		run_to_block(era_start(1));
		assert_eq!(current_era().index, 1);
		assert_eq!(current_era().start_block, era_start(1));
		System::assert_last_event(Event::EraStarted { index: 1, budget: 1_000 }.into());
	});
}

#[test]
fn a_closed_era_keeps_what_it_minted_burned_and_slashed() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(<FaasToken as RewardMinter<_, _>>::mint_rewards(&[(ALICE, 300)]), 300);
		assert_ok!(<Balances as MutateHold<_>>::hold(&TestHoldReason::Stake, &BOB, 100));
		assert_eq!(
			<FaasToken as SlashSink<_, _, _>>::slash_held(&TestHoldReason::Stake, &BOB, 40),
			40
		);
		assert_eq!(current_era().minted, 300);
		assert_eq!(current_era().burned, 40);

		run_to_block(era_start(1));
		assert_eq!(
			EraTotals::<Test>::get(0),
			Some(EraTotal { minted: 300, burned: 40, slashed: 40 })
		);
		assert_eq!(current_era().minted, 0);
		assert_eq!(current_era().burned, 0);
		assert_eq!(current_era().slashed, 0);
		// The new budget follows the new issuance: 10 % × 1 000 260 / 100, rounded down.
		assert_eq!(total_issuance(), 1_000_260);
		assert_eq!(current_era().budget, 1_000);
	});
}

#[test]
fn only_the_last_eras_to_keep_closed_eras_are_kept() {
	ExtBuilder::default().build_and_execute(|| {
		run_to_block(era_start(3));
		assert_eq!(current_era().index, 3);
		assert_eq!(kept_eras(), vec![0, 1, 2]);

		run_to_block(era_start(4));
		assert_eq!(kept_eras(), vec![1, 2, 3]);

		run_to_block(era_start(7));
		assert_eq!(current_era().index, 7);
		assert_eq!(kept_eras(), vec![4, 5, 6]);
		assert_eq!(kept_eras().len() as u32, ERAS_TO_KEEP);
	});
}

#[test]
fn an_era_opens_lazily_if_no_block_opened_one() {
	ExtBuilder::default().build_and_execute(|| {
		CurrentEra::<Test>::kill();
		assert_eq!(<FaasToken as RewardMinter<_, _>>::mint_rewards(&[(ALICE, 10)]), 10);
		assert_eq!(
			CurrentEra::<Test>::get(),
			Some(EraInfo {
				index: 0,
				start_block: 1,
				budget: 1_000,
				minted: 10,
				burned: 0,
				slashed: 0
			})
		);
	});
}

#[test]
fn set_yearly_inflation_applies_from_the_next_era() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(FaasToken::set_yearly_inflation(
			RuntimeOrigin::root(),
			Perbill::from_percent(20)
		));
		assert_eq!(YearlyInflation::<Test>::get(), Perbill::from_percent(20));
		System::assert_last_event(
			Event::YearlyInflationSet { inflation: Perbill::from_percent(20) }.into(),
		);
		assert_eq!(current_era().budget, 1_000);

		run_to_block(era_start(1));
		assert_eq!(current_era().budget, 2_000);
	});
}

#[test]
fn set_yearly_inflation_requires_the_admin_origin() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			FaasToken::set_yearly_inflation(
				RuntimeOrigin::signed(ALICE),
				Perbill::from_percent(50)
			),
			DispatchError::BadOrigin
		);
		assert_eq!(YearlyInflation::<Test>::get(), Perbill::from_percent(10));
	});
}

#[test]
fn on_initialize_between_boundaries_only_reads() {
	ExtBuilder::default().build_and_execute(|| {
		use frame_support::traits::{Get, Hooks};
		let weight = <FaasToken as Hooks<u64>>::on_initialize(2);
		assert_eq!(
			weight,
			<<Test as frame_system::Config>::DbWeight as Get<
				frame_support::weights::RuntimeDbWeight,
			>>::get()
			.reads(1)
		);
		assert_eq!(current_era().index, 0);
	});
}

#[test]
fn the_eras_query_returns_the_open_era_and_the_kept_ones_oldest_first() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(
			FaasToken::api_eras(),
			EraHistory { current: Some(current_era()), closed: vec![] }
		);
		<FaasToken as SlashSink<_, _, _>>::note_compensation(&ALICE, &BOB, 7);

		run_to_block(era_start(2));
		let history = FaasToken::api_eras();
		assert_eq!(history.current.map(|e| e.index), Some(2));
		assert_eq!(
			history.closed,
			vec![
				(0, EraTotal { minted: 0, burned: 0, slashed: 7 }),
				(1, EraTotal { minted: 0, burned: 0, slashed: 0 })
			]
		);

		run_to_block(era_start(6));
		let kept: Vec<u32> = FaasToken::api_eras().closed.into_iter().map(|(i, _)| i).collect();
		assert_eq!(kept, vec![3, 4, 5]);

		CurrentEra::<Test>::kill();
		let _ = EraTotals::<Test>::clear(u32::MAX, None);
		assert_eq!(FaasToken::api_eras(), EraHistory { current: None, closed: vec![] });
	});
}
