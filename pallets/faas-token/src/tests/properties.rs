//! Property tests: random sequences of calls and hook uses never create or destroy FST
//! except through reward mints and slash burns, and never break the pallet's invariants.

use super::total_issuance;
use crate::{mock::*, AllowanceSpender, Event, RewardMinter, SlashSink};
use frame_support::{
	assert_ok,
	storage::with_storage_layer,
	traits::fungible::{Inspect, MutateHold},
};
use proptest::prelude::*;

const ACCOUNTS: [AccountId; 6] = [ALICE, BOB, CHARLIE, DAVE, EVE, TREASURY];

#[derive(Debug, Clone)]
enum Op {
	Approve { owner: AccountId, spender: AccountId, amount: Balance },
	TransferFrom { spender: AccountId, owner: AccountId, to: AccountId, amount: Balance },
	SpendAllowance { owner: AccountId, spender: AccountId, amount: Balance },
	Mint(Vec<(AccountId, Balance)>),
	Hold { reason: TestHoldReason, who: AccountId, amount: Balance },
	Slash { reason: TestHoldReason, who: AccountId, amount: Balance },
	SetDestination(Option<AccountId>),
	Advance(u64),
}

fn account() -> impl Strategy<Value = AccountId> {
	prop::sample::select(ACCOUNTS.to_vec())
}

fn reason() -> impl Strategy<Value = TestHoldReason> {
	prop_oneof![Just(TestHoldReason::Stake), Just(TestHoldReason::Deposit)]
}

fn op() -> impl Strategy<Value = Op> {
	prop_oneof![
		(account(), account(), 0..2_000u64).prop_map(|(owner, spender, amount)| Op::Approve {
			owner,
			spender,
			amount
		}),
		(account(), account(), account(), 0..2_000u64).prop_map(|(spender, owner, to, amount)| {
			Op::TransferFrom { spender, owner, to, amount }
		}),
		(account(), account(), 0..2_000u64)
			.prop_map(|(owner, spender, amount)| Op::SpendAllowance { owner, spender, amount }),
		prop::collection::vec((account(), 0..1_500u64), 0..4).prop_map(Op::Mint),
		(reason(), account(), 0..5_000u64).prop_map(|(reason, who, amount)| Op::Hold {
			reason,
			who,
			amount
		}),
		(reason(), account(), 0..5_000u64).prop_map(|(reason, who, amount)| Op::Slash {
			reason,
			who,
			amount
		}),
		prop::option::of(account()).prop_map(Op::SetDestination),
		(1..25u64).prop_map(Op::Advance),
	]
}

fn apply(op: Op) {
	match op {
		Op::Approve { owner, spender, amount } => {
			let _ = FaasToken::approve(RuntimeOrigin::signed(owner), spender, amount);
		},
		Op::TransferFrom { spender, owner, to, amount } => {
			let _ = FaasToken::transfer_from(RuntimeOrigin::signed(spender), owner, to, amount);
		},
		Op::SpendAllowance { owner, spender, amount } => {
			let _ =
				<FaasToken as AllowanceSpender<_, _>>::spend_allowance(&owner, &spender, amount);
		},
		Op::Mint(rewards) => {
			<FaasToken as RewardMinter<_, _>>::mint_rewards(&rewards);
		},
		Op::Hold { reason, who, amount } => {
			let _ = with_storage_layer(|| <Balances as MutateHold<_>>::hold(&reason, &who, amount));
		},
		Op::Slash { reason, who, amount } => {
			<FaasToken as SlashSink<_, _, _>>::slash_held(&reason, &who, amount);
		},
		Op::SetDestination(destination) => {
			assert_ok!(FaasToken::set_slash_destination(RuntimeOrigin::root(), destination));
		},
		Op::Advance(blocks) => run_to_block(System::block_number() + blocks),
	}
}

/// Genesis issuance plus everything minted minus everything burned, from the pallet's events.
fn expected_issuance() -> Balance {
	token_events().iter().fold(4 * INITIAL_BALANCE, |issuance, event| match event {
		Event::RewardMinted { amount, .. } => issuance + amount,
		Event::Slashed { amount, burned: true, .. } => issuance - amount,
		_ => issuance,
	})
}

fn check_invariants() {
	assert_eq!(total_issuance(), expected_issuance());
	let held_by_accounts: Balance =
		ACCOUNTS.iter().map(<Balances as Inspect<_>>::total_balance).sum();
	assert_eq!(held_by_accounts, total_issuance());
	FaasToken::do_try_state(System::block_number()).expect("try_state must hold");
}

proptest! {
	#![proptest_config(ProptestConfig {
		cases: 64,
		failure_persistence: None,
		..ProptestConfig::default()
	})]

	#[test]
	fn random_operations_conserve_fst_and_keep_invariants(ops in prop::collection::vec(op(), 1..40)) {
		ExtBuilder::default().build_and_execute(|| {
			for op in ops {
				apply(op);
				check_invariants();
			}
		});
	}
}
