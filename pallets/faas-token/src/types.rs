//! Records and type aliases of the FaaS token pallet.

use crate::Config;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::traits::fungible;
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use sp_runtime::traits::StaticLookup;

/// Human-readable name of the native token, exposed in metadata as `TokenName`.
pub const TOKEN_NAME: &[u8] = b"FaaS Token";

/// Ticker symbol of the native token, exposed in metadata as `TokenSymbol`.
pub const TOKEN_SYMBOL: &[u8] = b"FST";

/// Sequential number of an issuance era; era 0 opens in the first block the pallet runs.
pub type EraIndex = u32;

/// Balance type of the native token (`Config::Currency`).
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// Hold reason type of the native token: the runtime's composite `RuntimeHoldReason`.
pub type HoldReasonOf<T> = <<T as Config>::Currency as fungible::InspectHold<
	<T as frame_system::Config>::AccountId,
>>::Reason;

/// How calls name an account (`MultiAddress` in the runtime).
pub type AccountIdLookupOf<T> = <<T as frame_system::Config>::Lookup as StaticLookup>::Source;

/// The issuance era in progress: its minting budget and what was minted and burned so far.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct EraInfo<BlockNumber, Balance> {
	/// Sequential number of the era.
	pub index: EraIndex,
	/// Block in which the era opened.
	pub start_block: BlockNumber,
	/// Most that reward minting may create during this era.
	pub budget: Balance,
	/// Rewards minted so far in this era (never more than `budget`).
	pub minted: Balance,
	/// Slashed funds burned so far in this era.
	pub burned: Balance,
	/// Everything slashed so far in this era, wherever it went: burned, paid to the slash
	/// destination, or paid to a wronged customer as compensation (never less than `burned`).
	pub slashed: Balance,
}

/// [`EraInfo`] of a runtime.
pub type EraInfoOf<T> = EraInfo<BlockNumberFor<T>, BalanceOf<T>>;

/// What a closed era minted, burned and slashed, kept for `Config::ErasToKeep` eras.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	PartialEq,
	Eq,
	Debug,
	Default,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct EraTotal<Balance> {
	/// Rewards minted during the era.
	pub minted: Balance,
	/// Slashed funds burned during the era.
	pub burned: Balance,
	/// Everything slashed during the era (burned, paid to the slash destination or to
	/// customers as compensation).
	pub slashed: Balance,
}

/// [`EraTotal`] of a runtime.
pub type EraTotalOf<T> = EraTotal<BalanceOf<T>>;

/// The issuance history the runtime keeps: the era in progress and the closed eras still kept,
/// as the `FaasTokenApi` runtime API returns it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct EraHistory<BlockNumber, Balance> {
	/// The era in progress (`None` before the pallet's first block).
	pub current: Option<EraInfo<BlockNumber, Balance>>,
	/// The last `Config::ErasToKeep` closed eras with their totals, oldest first.
	pub closed: alloc::vec::Vec<(EraIndex, EraTotal<Balance>)>,
}

/// [`EraHistory`] of a runtime.
pub type EraHistoryOf<T> = EraHistory<BlockNumberFor<T>, BalanceOf<T>>;
