//! DeFaaS primitives: what the pallets, the runtime, the node, the provider daemon, the CLI and
//! the tests share (`no_std`, no pallet linked for a type).
//!
//! - ids and the lease and verdict types that pass between the market and the witness pool;
//! - [`traits`]: the traits that couple the pallets (SLA monitor and verdict handler, provider
//!   directory, reward minter, slash sink, allowance spender);
//! - [`bench`]: the accounts of the `bench` genesis preset (load generation);
//! - [`commitments`]: the sealed-bid and report commitments;
//! - [`deploy`]: the signed deployment message of the provider's deployment API;
//! - [`worker_stats`]: what the witness worker records about its runs (time per block);
//! - [`json`]: serde helpers for the JSON that integrators read (128-bit numbers as decimal
//!   strings, bytes as UTF-8 or `0x` hex).
//!
//! The protocol these serve is described in `docs/architecture.md`.

#![cfg_attr(not(feature = "std"), no_std)]
// Tests may compute freely (clippy.toml lets them unwrap, expect, panic and index).
#![cfg_attr(test, allow(clippy::arithmetic_side_effects, clippy::unreachable))]

extern crate alloc;

pub mod bench;
pub mod commitments;
pub mod deploy;
pub mod json;
pub mod traits;
pub mod worker_stats;

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Identifier of a FaaS level (index into the level table).
pub type LevelId = u32;
/// Identifier of an order (sequential, never reused); a lease has its order's id.
pub type OrderId = u64;

/// The outcome of one SLA round (= one billing period) of a lease.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum Verdict {
	/// The committee found no violation: the period is paid to the provider.
	NoViolation,
	/// The committee found the SLA violated: the period is not paid and the provider is
	/// penalised.
	Violated,
}

/// What the monitor needs to know about a lease it watches.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct LeaseInfo<AccountId, BlockNumber> {
	/// The order (and lease) id.
	pub order_id: OrderId,
	/// Provider serving the function (never eligible for the committee).
	pub provider: AccountId,
	/// Customer of the order (never eligible for the committee).
	pub customer: AccountId,
	/// FaaS level of the lease (probe sizes derive from it).
	pub level: LevelId,
	/// Length of one billing period = one SLA round, in blocks.
	pub period_length: BlockNumber,
	/// Number of billing periods (rounds `0..periods`).
	pub periods: u32,
	/// Witness committee size per round.
	pub committee_size: u32,
	/// First block of round 0; round `r` covers
	/// `[first_period_start + r * period_length, first_period_start + (r + 1) * period_length)`.
	pub first_period_start: BlockNumber,
	/// What the committees check.
	pub target: MonitorTarget,
}

/// Longest URL a customer may publish its package at, in bytes.
pub const MAX_PACKAGE_URL_LEN: u32 = 256;

/// The URL of a published package (`http://` or `https://`, UTF-8).
pub type PackageUrl = sp_runtime::BoundedVec<u8, sp_runtime::traits::ConstU32<MAX_PACKAGE_URL_LEN>>;

/// Whether `url` is a URL a witness can fetch a package from: `http://` or `https://`, then a
/// host, no whitespace or control characters.
pub fn is_package_url(url: &[u8]) -> bool {
	let rest = url.strip_prefix(b"https://").or_else(|| url.strip_prefix(b"http://"));
	match rest {
		Some(rest) => {
			!rest.is_empty()
				&& !rest.starts_with(b"/")
				&& core::str::from_utf8(url).is_ok()
				&& url.iter().all(|b| *b > b' ' && *b != 0x7f)
		},
		None => false,
	}
}

/// What a committee checks in its rounds.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub enum MonitorTarget {
	/// The lease's service: liveness and capacity probes of the provider's endpoint, one round
	/// per billing period; `Violated` means the SLA was broken.
	Service,
	/// A deployment dispute (docs/architecture.md §5.3): one round in which every member checks the
	/// package the customer published; `Violated` means it is not the package the order
	/// committed to (the customer failed the hand-off), `NoViolation` that it is (the
	/// provider did).
	Package(PackageCheck),
}

/// The package a committee checks in a deployment dispute: fetched from `url`, it must be at
/// most `max_bytes` bytes, hash (`blake2_256`) to `package_hash` and be a WebAssembly
/// component.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct PackageCheck {
	/// Where the customer published the package.
	pub url: PackageUrl,
	/// The hash the order committed to.
	pub package_hash: [u8; 32],
	/// The level's package limit, bytes.
	pub max_bytes: u64,
}

/// How the billing periods of an ended order went: carried by the events that end an order,
/// so an integrator tells a healthy order from a failed one without replaying its periods.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct PeriodTally {
	/// Billing periods of the order.
	pub periods: u32,
	/// Periods settled `NoViolation` (paid to the provider).
	pub paid: u32,
	/// Periods settled `Violated` (not paid, the provider slashed).
	pub violated: u32,
	/// Periods never settled (the order ended before them, or their verdict timed out): their
	/// share of the prepay went back to the payer.
	pub unsettled: u32,
}

/// `share` of `weight`, both components rounded down (the hooks' integrity tests compare their
/// worst cases with their share of the block).
pub fn weight_share(share: sp_runtime::Perbill, weight: sp_weights::Weight) -> sp_weights::Weight {
	sp_weights::Weight::from_parts(
		share.mul_floor(weight.ref_time()),
		share.mul_floor(weight.proof_size()),
	)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn verdict_and_tally_json_use_camel_case() {
		assert_eq!(serde_json::to_string(&Verdict::NoViolation).unwrap(), "\"noViolation\"");
		let tally = PeriodTally { periods: 3, paid: 1, violated: 1, unsettled: 1 };
		assert_eq!(
			serde_json::to_string(&tally).unwrap(),
			r#"{"periods":3,"paid":1,"violated":1,"unsettled":1}"#
		);
	}
}
