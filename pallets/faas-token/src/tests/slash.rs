//! `SlashSink`: burning held funds or paying them to the slash destination.

use super::{current_era, free_balance, total_issuance};
use crate::{mock::*, Event, SlashDestination, SlashSink};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{InspectHold, MutateHold},
};
use sp_runtime::DispatchError;

fn hold(reason: TestHoldReason, who: AccountId, amount: Balance) {
	assert_ok!(<Balances as MutateHold<_>>::hold(&reason, &who, amount));
}

fn held(reason: TestHoldReason, who: AccountId) -> Balance {
	<Balances as InspectHold<_>>::balance_on_hold(&reason, &who)
}

fn slash(reason: TestHoldReason, who: AccountId, amount: Balance) -> Balance {
	<FaasToken as SlashSink<_, _, _>>::slash_held(&reason, &who, amount)
}

#[test]
fn without_a_destination_slashed_funds_are_burned() {
	ExtBuilder::default().build_and_execute(|| {
		hold(TestHoldReason::Stake, ALICE, 1_000);
		let issuance = total_issuance();

		assert_eq!(slash(TestHoldReason::Stake, ALICE, 400), 400);

		assert_eq!(held(TestHoldReason::Stake, ALICE), 600);
		assert_eq!(free_balance(ALICE), INITIAL_BALANCE - 1_000);
		assert_eq!(total_issuance(), issuance - 400);
		assert_eq!(current_era().burned, 400);
		assert_eq!(current_era().slashed, 400);
		System::assert_last_event(Event::Slashed { who: ALICE, amount: 400, burned: true }.into());
	});
}

#[test]
fn a_slash_takes_at_most_what_is_held_for_that_reason() {
	ExtBuilder::default().build_and_execute(|| {
		hold(TestHoldReason::Stake, ALICE, 1_000);
		hold(TestHoldReason::Deposit, ALICE, 300);
		let issuance = total_issuance();

		assert_eq!(slash(TestHoldReason::Deposit, ALICE, 500), 300);
		assert_eq!(held(TestHoldReason::Deposit, ALICE), 0);
		assert_eq!(held(TestHoldReason::Stake, ALICE), 1_000);
		assert_eq!(total_issuance(), issuance - 300);

		assert_eq!(slash(TestHoldReason::Stake, ALICE, 5_000), 1_000);
		assert_eq!(held(TestHoldReason::Stake, ALICE), 0);
		assert_eq!(total_issuance(), issuance - 1_300);
		assert_eq!(current_era().burned, 1_300);
		assert_eq!(current_era().slashed, 1_300);
	});
}

#[test]
fn slashing_nothing_takes_nothing_and_emits_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		hold(TestHoldReason::Stake, BOB, 100);
		let events_before = System::events().len();

		// Nothing held for this reason, and a zero amount.
		assert_eq!(slash(TestHoldReason::Stake, ALICE, 100), 0);
		assert_eq!(slash(TestHoldReason::Deposit, BOB, 100), 0);
		assert_eq!(slash(TestHoldReason::Stake, BOB, 0), 0);

		assert_eq!(System::events().len(), events_before);
		assert_eq!(held(TestHoldReason::Stake, BOB), 100);
		assert_eq!(current_era().burned, 0);
		assert_eq!(current_era().slashed, 0);
	});
}

#[test]
fn with_a_destination_slashed_funds_are_paid_to_it() {
	ExtBuilder::default().slash_destination(TREASURY).build_and_execute(|| {
		hold(TestHoldReason::Stake, ALICE, 1_000);
		let issuance = total_issuance();

		assert_eq!(slash(TestHoldReason::Stake, ALICE, 400), 400);

		assert_eq!(held(TestHoldReason::Stake, ALICE), 600);
		assert_eq!(free_balance(TREASURY), 400);
		assert_eq!(total_issuance(), issuance);
		assert_eq!(current_era().burned, 0);
		// Paid to the destination, not burned: still slashed.
		assert_eq!(current_era().slashed, 400);
		System::assert_last_event(Event::Slashed { who: ALICE, amount: 400, burned: false }.into());
	});
}

#[test]
fn a_destination_that_cannot_receive_the_funds_falls_back_to_burning() {
	ExtBuilder::default().existential_deposit(10).slash_destination(TREASURY).build_and_execute(
		|| {
			hold(TestHoldReason::Stake, ALICE, 1_000);
			let issuance = total_issuance();

			// 5 is below the existential deposit of the not yet existing TREASURY.
			assert_eq!(slash(TestHoldReason::Stake, ALICE, 5), 5);

			assert_eq!(free_balance(TREASURY), 0);
			assert_eq!(total_issuance(), issuance - 5);
			assert_eq!(current_era().burned, 5);
			assert_eq!(current_era().slashed, 5);
			System::assert_last_event(
				Event::Slashed { who: ALICE, amount: 5, burned: true }.into(),
			);
		},
	);
}

#[test]
fn slashing_the_destination_itself_burns() {
	ExtBuilder::default().slash_destination(ALICE).build_and_execute(|| {
		hold(TestHoldReason::Stake, ALICE, 1_000);
		let issuance = total_issuance();

		assert_eq!(slash(TestHoldReason::Stake, ALICE, 100), 100);
		assert_eq!(total_issuance(), issuance - 100);
		System::assert_last_event(Event::Slashed { who: ALICE, amount: 100, burned: true }.into());
	});
}

#[test]
fn set_slash_destination_sets_and_clears_it() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(FaasToken::set_slash_destination(RuntimeOrigin::root(), Some(TREASURY)));
		assert_eq!(SlashDestination::<Test>::get(), Some(TREASURY));
		System::assert_last_event(
			Event::SlashDestinationSet { destination: Some(TREASURY) }.into(),
		);

		assert_ok!(FaasToken::set_slash_destination(RuntimeOrigin::root(), None));
		assert_eq!(SlashDestination::<Test>::get(), None);
		System::assert_last_event(Event::SlashDestinationSet { destination: None }.into());
	});
}

#[test]
fn set_slash_destination_requires_the_admin_origin() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			FaasToken::set_slash_destination(RuntimeOrigin::signed(ALICE), Some(ALICE)),
			DispatchError::BadOrigin
		);
		assert_eq!(SlashDestination::<Test>::get(), None);
	});
}

#[test]
fn unit_slash_sink_takes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		hold(TestHoldReason::Stake, ALICE, 1_000);
		assert_eq!(
			<() as SlashSink<AccountId, Balance, TestHoldReason>>::slash_held(
				&TestHoldReason::Stake,
				&ALICE,
				500
			),
			0
		);
		assert_eq!(held(TestHoldReason::Stake, ALICE), 1_000);
	});
}

#[test]
fn compensation_paid_by_the_caller_counts_as_slashed_and_moves_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		hold(TestHoldReason::Stake, ALICE, 1_000);
		let issuance = total_issuance();
		let events_before = System::events().len();

		<FaasToken as SlashSink<_, _, _>>::note_compensation(&ALICE, &BOB, 250);
		<FaasToken as SlashSink<_, _, _>>::note_compensation(&ALICE, &BOB, 0);

		assert_eq!(current_era().slashed, 250);
		assert_eq!(current_era().burned, 0);
		assert_eq!(held(TestHoldReason::Stake, ALICE), 1_000);
		assert_eq!(total_issuance(), issuance);
		assert_eq!(System::events().len(), events_before);

		// With a burn on top, the era's slashed total is both.
		assert_eq!(slash(TestHoldReason::Stake, ALICE, 100), 100);
		assert_eq!(current_era().slashed, 350);
		assert_eq!(current_era().burned, 100);
	});
}
