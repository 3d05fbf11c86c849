//! Traits through which other pallets use the FaaS token.
//!
//! Each trait has a trivial `()` implementation (for runtimes and mocks without this pallet)
//! and the real one on [`crate::Pallet`].

use sp_runtime::{traits::Zero, DispatchError, DispatchResult, TokenError};

/// Spends an ERC-20 style allowance on behalf of its spender.
///
/// The market uses it when a sponsor funds someone else's order: it spends the sponsor's
/// allowance to the order's customer and then moves the funds itself (e.g. holds them).
pub trait AllowanceSpender<AccountId, Balance> {
	/// Decrease the allowance `owner` gave `spender` by `amount`.
	///
	/// Fails, changing nothing, if `amount` is zero or larger than the allowance.
	/// Moves no funds: the caller does that after a successful spend.
	fn spend_allowance(owner: &AccountId, spender: &AccountId, amount: Balance) -> DispatchResult;

	/// The amount `spender` may still spend from `owner`.
	fn allowance(owner: &AccountId, spender: &AccountId) -> Balance;
}

/// No allowances: every spend fails with `TokenError::Unsupported`, every allowance is zero.
impl<AccountId, Balance: Zero> AllowanceSpender<AccountId, Balance> for () {
	fn spend_allowance(_: &AccountId, _: &AccountId, _: Balance) -> DispatchResult {
		Err(DispatchError::Token(TokenError::Unsupported))
	}

	fn allowance(_: &AccountId, _: &AccountId) -> Balance {
		Zero::zero()
	}
}

/// Mints rewards (witness payoffs) under the token's issuance budget.
pub trait RewardMinter<AccountId, Balance> {
	/// Mint `rewards` into their accounts and return the total actually minted.
	///
	/// When the batch exceeds what is left of the budget every reward is scaled down by the
	/// same ratio; the implementation reports scaling and failed mints through events.
	/// The caller bounds the batch (e.g. by its committee size) and accounts its weight.
	fn mint_rewards(rewards: &[(AccountId, Balance)]) -> Balance;
}

/// Mints nothing and returns zero.
impl<AccountId, Balance: Zero> RewardMinter<AccountId, Balance> for () {
	fn mint_rewards(_: &[(AccountId, Balance)]) -> Balance {
		Zero::zero()
	}
}

/// Takes slashed stake and forfeited deposits out of a hold.
pub trait SlashSink<AccountId, Balance, Reason> {
	/// Take up to `amount` from the funds `who` holds for `reason` (best effort) and return
	/// the amount actually taken. Never fails: if nothing can be taken it returns zero.
	fn slash_held(reason: &Reason, who: &AccountId, amount: Balance) -> Balance;
}

/// Takes nothing and returns zero (the held funds stay with their owner).
impl<AccountId, Balance: Zero, Reason> SlashSink<AccountId, Balance, Reason> for () {
	fn slash_held(_: &Reason, _: &AccountId, _: Balance) -> Balance {
		Zero::zero()
	}
}
