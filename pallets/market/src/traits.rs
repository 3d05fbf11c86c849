//! Coupling between the market and the SLA monitor (the witness pool): the traits and types
//! live in `defaas-primitives` so neither pallet links the other; re-exported here.

pub use defaas_primitives::{
	traits::{ProviderDirectory, SlaMonitor, SlaVerdictHandler},
	Verdict,
};

/// What the benchmarks need of the runtime's payment assets.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId, AssetKind, Balance> {
	/// An existing asset other than FST that is not yet a payment asset (created if needed).
	fn create_asset() -> AssetKind;

	/// Mint `amount` of `asset` (created by [`Self::create_asset`]) to `who`.
	fn fund(asset: &AssetKind, who: &AccountId, amount: Balance);
}
