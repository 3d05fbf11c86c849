//! `approve`, `transfer_from` and the `AllowanceSpender` hook.

use super::free_balance;
use crate::{mock::*, AllowanceSpender, Allowances, Error, Event};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{DispatchError, TokenError};

fn approve(owner: AccountId, spender: AccountId, amount: Balance) {
	assert_ok!(FaasToken::approve(RuntimeOrigin::signed(owner), spender, amount));
}

#[test]
fn approve_sets_and_replaces_the_allowance() {
	ExtBuilder::default().build_and_execute(|| {
		approve(ALICE, BOB, 500);
		assert_eq!(Allowances::<Test>::get(ALICE, BOB), 500);
		System::assert_last_event(
			Event::Approval { owner: ALICE, spender: BOB, amount: 500 }.into(),
		);

		approve(ALICE, BOB, 200);
		assert_eq!(Allowances::<Test>::get(ALICE, BOB), 200);
		System::assert_last_event(
			Event::Approval { owner: ALICE, spender: BOB, amount: 200 }.into(),
		);

		// Allowances are per (owner, spender) pair.
		assert_eq!(Allowances::<Test>::get(BOB, ALICE), 0);
		assert_eq!(Allowances::<Test>::get(ALICE, CHARLIE), 0);
	});
}

#[test]
fn approving_zero_removes_the_allowance() {
	ExtBuilder::default().build_and_execute(|| {
		approve(ALICE, BOB, 500);
		approve(ALICE, BOB, 0);
		assert!(!Allowances::<Test>::contains_key(ALICE, BOB));
		System::assert_last_event(Event::Approval { owner: ALICE, spender: BOB, amount: 0 }.into());
	});
}

#[test]
fn approve_needs_no_funds_and_no_existing_spender() {
	ExtBuilder::default().build_and_execute(|| {
		approve(EVE, TREASURY, 1_000);
		assert_eq!(Allowances::<Test>::get(EVE, TREASURY), 1_000);
	});
}

#[test]
fn approving_oneself_fails() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			FaasToken::approve(RuntimeOrigin::signed(ALICE), ALICE, 500),
			Error::<Test>::SelfApproval
		);
	});
}

#[test]
fn approve_requires_a_signed_origin() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(FaasToken::approve(RuntimeOrigin::root(), BOB, 500), DispatchError::BadOrigin);
		assert_noop!(FaasToken::approve(RuntimeOrigin::none(), BOB, 500), DispatchError::BadOrigin);
	});
}

#[test]
fn transfer_from_moves_funds_and_spends_the_allowance() {
	ExtBuilder::default().build_and_execute(|| {
		approve(ALICE, BOB, 1_000);
		assert_ok!(FaasToken::transfer_from(RuntimeOrigin::signed(BOB), ALICE, CHARLIE, 400));

		assert_eq!(free_balance(ALICE), INITIAL_BALANCE - 400);
		assert_eq!(free_balance(CHARLIE), INITIAL_BALANCE + 400);
		assert_eq!(free_balance(BOB), INITIAL_BALANCE);
		assert_eq!(Allowances::<Test>::get(ALICE, BOB), 600);
		System::assert_last_event(
			Event::TransferredFrom { owner: ALICE, spender: BOB, to: CHARLIE, amount: 400 }.into(),
		);
	});
}

#[test]
fn spending_the_whole_allowance_removes_it() {
	ExtBuilder::default().build_and_execute(|| {
		approve(ALICE, BOB, 400);
		assert_ok!(FaasToken::transfer_from(RuntimeOrigin::signed(BOB), ALICE, BOB, 400));
		assert!(!Allowances::<Test>::contains_key(ALICE, BOB));
		assert_eq!(free_balance(BOB), INITIAL_BALANCE + 400);
	});
}

#[test]
fn transfer_from_can_create_the_recipient() {
	ExtBuilder::default().build_and_execute(|| {
		approve(ALICE, BOB, 1_000);
		assert_ok!(FaasToken::transfer_from(RuntimeOrigin::signed(BOB), ALICE, EVE, 700));
		assert_eq!(free_balance(EVE), 700);
	});
}

#[test]
fn transfer_from_beyond_the_allowance_fails() {
	ExtBuilder::default().build_and_execute(|| {
		approve(ALICE, BOB, 300);
		assert_noop!(
			FaasToken::transfer_from(RuntimeOrigin::signed(BOB), ALICE, CHARLIE, 301),
			Error::<Test>::InsufficientAllowance
		);
		// Without any allowance, and for the owner itself (no self allowance exists).
		assert_noop!(
			FaasToken::transfer_from(RuntimeOrigin::signed(CHARLIE), ALICE, CHARLIE, 1),
			Error::<Test>::InsufficientAllowance
		);
		assert_noop!(
			FaasToken::transfer_from(RuntimeOrigin::signed(ALICE), ALICE, CHARLIE, 1),
			Error::<Test>::InsufficientAllowance
		);
	});
}

#[test]
fn transfer_from_of_zero_fails() {
	ExtBuilder::default().build_and_execute(|| {
		approve(ALICE, BOB, 300);
		assert_noop!(
			FaasToken::transfer_from(RuntimeOrigin::signed(BOB), ALICE, CHARLIE, 0),
			Error::<Test>::ZeroAmount
		);
	});
}

#[test]
fn transfer_from_beyond_the_owners_funds_fails_and_keeps_the_allowance() {
	ExtBuilder::default().build_and_execute(|| {
		approve(ALICE, BOB, 1_000_000);
		assert_noop!(
			FaasToken::transfer_from(
				RuntimeOrigin::signed(BOB),
				ALICE,
				CHARLIE,
				INITIAL_BALANCE + 1
			),
			TokenError::FundsUnavailable
		);
		assert_eq!(Allowances::<Test>::get(ALICE, BOB), 1_000_000);
	});
}

#[test]
fn transfer_from_keeps_the_owner_alive() {
	ExtBuilder::default().build_and_execute(|| {
		approve(ALICE, BOB, INITIAL_BALANCE);
		assert_noop!(
			FaasToken::transfer_from(RuntimeOrigin::signed(BOB), ALICE, CHARLIE, INITIAL_BALANCE),
			TokenError::NotExpendable
		);
		assert_ok!(FaasToken::transfer_from(
			RuntimeOrigin::signed(BOB),
			ALICE,
			CHARLIE,
			INITIAL_BALANCE - 1
		));
		assert_eq!(free_balance(ALICE), 1);
	});
}

#[test]
fn transfer_from_requires_a_signed_origin() {
	ExtBuilder::default().build_and_execute(|| {
		approve(ALICE, BOB, 300);
		assert_noop!(
			FaasToken::transfer_from(RuntimeOrigin::none(), ALICE, CHARLIE, 100),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn spend_allowance_decrements_without_moving_funds() {
	ExtBuilder::default().build_and_execute(|| {
		approve(ALICE, BOB, 1_000);
		assert_ok!(<FaasToken as AllowanceSpender<_, _>>::spend_allowance(&ALICE, &BOB, 250));

		assert_eq!(<FaasToken as AllowanceSpender<_, _>>::allowance(&ALICE, &BOB), 750);
		assert_eq!(free_balance(ALICE), INITIAL_BALANCE);
		assert_eq!(free_balance(BOB), INITIAL_BALANCE);
		System::assert_last_event(
			Event::AllowanceSpent { owner: ALICE, spender: BOB, amount: 250 }.into(),
		);

		assert_ok!(<FaasToken as AllowanceSpender<_, _>>::spend_allowance(&ALICE, &BOB, 750));
		assert!(!Allowances::<Test>::contains_key(ALICE, BOB));
	});
}

#[test]
fn spend_allowance_rejects_zero_and_overspending() {
	ExtBuilder::default().build_and_execute(|| {
		approve(ALICE, BOB, 1_000);
		assert_noop!(
			<FaasToken as AllowanceSpender<_, _>>::spend_allowance(&ALICE, &BOB, 0),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			<FaasToken as AllowanceSpender<_, _>>::spend_allowance(&ALICE, &BOB, 1_001),
			Error::<Test>::InsufficientAllowance
		);
		assert_noop!(
			<FaasToken as AllowanceSpender<_, _>>::spend_allowance(&BOB, &ALICE, 1),
			Error::<Test>::InsufficientAllowance
		);
	});
}

#[test]
fn unit_allowance_spender_supports_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		approve(ALICE, BOB, 1_000);
		assert_eq!(
			<() as AllowanceSpender<AccountId, Balance>>::spend_allowance(&ALICE, &BOB, 1),
			Err(DispatchError::Token(TokenError::Unsupported))
		);
		assert_eq!(<() as AllowanceSpender<AccountId, Balance>>::allowance(&ALICE, &BOB), 0);
	});
}
