//! The traits that couple the pallets. Each has a trivial `()` implementation for runtimes and
//! mocks without the other side.
//!
//! - The market starts and stops the monitoring of a lease through [`SlaMonitor`]; the monitor
//!   (the witness pool) reports one [`Verdict`] per round (= billing period) through
//!   [`SlaVerdictHandler`], which the market implements to settle that period.
//! - The witnesses' off-chain workers find a provider's endpoint through [`ProviderDirectory`].
//! - The FaaS token mints witness payoffs ([`RewardMinter`]), takes slashes ([`SlashSink`]) and
//!   lets a sponsor fund another account's order ([`AllowanceSpender`]; per payment asset
//!   [`PaymentAllowances`]).

use crate::{LeaseInfo, LevelId, OrderId, Verdict};
use alloc::vec::Vec;
use sp_runtime::{traits::Zero, DispatchError, DispatchResult, TokenError};
use sp_weights::Weight;

/// The market asks a monitor (the witness pool) to watch a lease; `()` does nothing.
pub trait SlaMonitor<AccountId, BlockNumber> {
	/// Start watching `lease`: one round per billing period, rounds `0..lease.periods`, round
	/// `r` starting at `lease.first_period_start + r * lease.period_length`.
	///
	/// Called from the provider's `fulfill`; an error fails that call (nothing changes).
	fn start_monitoring(lease: &LeaseInfo<AccountId, BlockNumber>) -> DispatchResult;

	/// Stop watching the lease of `order_id`. Called whenever a monitored lease ends — after
	/// its last round, early termination or a verdict timeout — possibly from within
	/// [`SlaVerdictHandler::on_verdict`]; must be idempotent and must not fail.
	fn stop_monitoring(order_id: OrderId);

	/// How many witnesses could sit in a committee (registered and not suspended — the same
	/// count `start_monitoring` requires). An order whose committee is larger is refused when
	/// it is created. Witnesses not yet activated count too: a round that cannot seat anyone
	/// is abandoned, and the market then times the lease out and refunds it. `u32::MAX` when
	/// there is no limit.
	fn committee_capacity() -> u32;

	/// Benchmarks only: make the next `start_monitoring` of a lease with a committee of
	/// `committee_size` succeed (e.g. by registering enough witnesses). Nothing by default.
	#[cfg(feature = "runtime-benchmarks")]
	fn prepare_for_lease(_committee_size: u32) {}
}

impl<AccountId, BlockNumber> SlaMonitor<AccountId, BlockNumber> for () {
	fn start_monitoring(_: &LeaseInfo<AccountId, BlockNumber>) -> DispatchResult {
		Ok(())
	}

	fn stop_monitoring(_: OrderId) {}

	fn committee_capacity() -> u32 {
		u32::MAX
	}
}

/// Delivered by the monitor when a round (= one billing period) has a verdict.
pub trait SlaVerdictHandler {
	/// Settle round `round` of the lease of `order_id` according to `verdict`.
	///
	/// Fails (changing nothing) for an unknown order, an order that is not being fulfilled, a
	/// round other than the next unsettled one, a round that has not started yet, or a verdict
	/// that arrived after the order's verdict deadline. Returns the weight it used, at most
	/// [`Self::on_verdict_weight`] (a failed call is charged that).
	fn on_verdict(order_id: OrderId, round: u32, verdict: Verdict)
		-> Result<Weight, DispatchError>;

	/// Worst-case weight of one [`Self::on_verdict`] call, reserved by the monitor for the
	/// step that delivers the verdict.
	fn on_verdict_weight() -> Weight {
		Weight::zero()
	}
}

impl SlaVerdictHandler for () {
	fn on_verdict(_: OrderId, _: u32, _: Verdict) -> Result<Weight, DispatchError> {
		Ok(Weight::zero())
	}
}

/// What the witnesses' off-chain workers need to know about the provider and the level of a
/// lease they probe (`docs/architecture.md` §7.2): where to send the probes and how large the
/// capacity challenge is. Read off-chain only.
pub trait ProviderDirectory<AccountId> {
	/// The registered endpoint URL of `provider` (UTF-8 bytes), if it is a provider.
	fn endpoint(provider: &AccountId) -> Option<Vec<u8>>;

	/// The memory of FaaS level `level` in MB, if the level exists.
	fn level_memory_mb(level: LevelId) -> Option<u32>;
}

/// Knows nothing.
impl<AccountId> ProviderDirectory<AccountId> for () {
	fn endpoint(_: &AccountId) -> Option<Vec<u8>> {
		None
	}

	fn level_memory_mb(_: LevelId) -> Option<u32> {
		None
	}
}

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

	/// Sets the allowance `owner` gives `spender` (the benchmarks of a caller's sponsor path).
	#[cfg(feature = "runtime-benchmarks")]
	fn set_allowance(owner: &AccountId, spender: &AccountId, amount: Balance);
}

/// No allowances: every spend fails with `TokenError::Unsupported`, every allowance is zero.
impl<AccountId, Balance: Zero> AllowanceSpender<AccountId, Balance> for () {
	fn spend_allowance(_: &AccountId, _: &AccountId, _: Balance) -> DispatchResult {
		Err(DispatchError::Token(TokenError::Unsupported))
	}

	fn allowance(_: &AccountId, _: &AccountId) -> Balance {
		Zero::zero()
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn set_allowance(_: &AccountId, _: &AccountId, _: Balance) {}
}

/// Allowances per payment asset: a sponsor funds someone else's order in the order's payment
/// asset (docs/architecture.md §12). The runtime takes the native token's allowances from the
/// FaaS token ([`AllowanceSpender`]) and every other asset's from its own approvals.
pub trait PaymentAllowances<AccountId, AssetKind, Balance> {
	/// Decrease the allowance of `asset` that `owner` gave `spender` by `amount`.
	///
	/// Fails, changing nothing, if `amount` is zero or larger than the allowance.
	/// Moves no funds: the caller does that after a successful spend.
	fn spend_allowance(
		asset: &AssetKind,
		owner: &AccountId,
		spender: &AccountId,
		amount: Balance,
	) -> DispatchResult;

	/// The amount of `asset` that `spender` may still spend from `owner`.
	fn allowance(asset: &AssetKind, owner: &AccountId, spender: &AccountId) -> Balance;

	/// Sets the allowance (the benchmarks of a caller's sponsor path).
	#[cfg(feature = "runtime-benchmarks")]
	fn set_allowance(asset: &AssetKind, owner: &AccountId, spender: &AccountId, amount: Balance);
}

/// No allowances: every spend fails with `TokenError::Unsupported`, every allowance is zero.
impl<AccountId, AssetKind, Balance: Zero> PaymentAllowances<AccountId, AssetKind, Balance> for () {
	fn spend_allowance(_: &AssetKind, _: &AccountId, _: &AccountId, _: Balance) -> DispatchResult {
		Err(DispatchError::Token(TokenError::Unsupported))
	}

	fn allowance(_: &AssetKind, _: &AccountId, _: &AccountId) -> Balance {
		Zero::zero()
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn set_allowance(_: &AssetKind, _: &AccountId, _: &AccountId, _: Balance) {}
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

	/// Count `amount`, which the caller already moved out of `from`'s stake to `to` as
	/// compensation (a provider's violation slash paid to the customer), among the slashes.
	/// Moves nothing and never fails; by default it does nothing.
	fn note_compensation(_from: &AccountId, _to: &AccountId, _amount: Balance) {}
}

/// Takes nothing and returns zero (the held funds stay with their owner).
impl<AccountId, Balance: Zero, Reason> SlashSink<AccountId, Balance, Reason> for () {
	fn slash_held(_: &Reason, _: &AccountId, _: Balance) -> Balance {
		Zero::zero()
	}
}
