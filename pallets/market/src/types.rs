//! Records stored by the market pallet and the views returned by its runtime API.

use crate::Config;
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	traits::{fungible::Inspect, Get},
	BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::{
	traits::{Saturating, Zero},
	Permill,
};

pub use defaas_primitives::{
	LeaseInfo, LevelId, MonitorTarget, OrderId, PackageCheck, PackageUrl, PeriodTally,
};
/// FST or a numbered asset: the payment asset kind of the DeFaaS runtime.
pub use frame_support::traits::fungible::NativeOrWithId;

/// The balance type of the market's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// The account id type of the runtime.
pub type AccountIdOf<T> = <T as frame_system::Config>::AccountId;
/// The payment asset type of the market.
pub type AssetKindOf<T> = <T as Config>::AssetKind;

/// Fixed-point scale of the decayed reputation counters: one billing period counts as
/// `REPUTATION_SCALE` units (so the counters keep six decimals under decay).
pub const REPUTATION_SCALE: u64 = 1_000_000;

/// The market's time parameters, all in blocks (docs/architecture.md §3): runtime parameters with production
/// defaults (`Config::DefaultTimings`) that genesis presets may shorten and `set_timings` may
/// change later.
///
/// A change applies to deadlines computed after it: a window that is already running keeps
/// the deadline stored in its order's state, and every order keeps the billing period it was
/// created with. Only `heartbeat_grace` acts at once (it decides who is online now).
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
	frame_support::Serialize,
	frame_support::Deserialize,
)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase")]
pub struct MarketTimings<BlockNumber> {
	/// Shortest bid window an order may ask for.
	pub min_bid_window: BlockNumber,
	/// Longest bid window an order may ask for.
	pub max_bid_window: BlockNumber,
	/// Length of the reveal window that follows the bid window.
	pub reveal_window: BlockNumber,
	/// Blocks the auction candidate has to `confirm_order`.
	pub confirm_window: BlockNumber,
	/// Blocks the confirmed provider has to deploy and call `fulfill`.
	pub deploy_window: BlockNumber,
	/// Length of one billing period (= one SLA round) of the orders created from now on.
	pub billing_period: BlockNumber,
	/// Blocks after the end of a period within which its verdict must arrive (at least the
	/// witness pool's commit + reveal windows).
	pub verdict_grace: BlockNumber,
	/// A provider is online iff its last heartbeat is at most this many blocks old.
	pub heartbeat_grace: BlockNumber,
	/// Blocks an ended order stays queryable before it is pruned.
	pub retention_period: BlockNumber,
}
/// [`MarketTimings`] of a runtime.
pub type MarketTimingsOf<T> = MarketTimings<BlockNumberFor<T>>;

impl<BlockNumber: Zero + PartialOrd> MarketTimings<BlockNumber> {
	/// Whether the timings make sense: every window, grace and period is at least one block
	/// and `min_bid_window ≤ max_bid_window`.
	pub fn validate(&self) -> bool {
		let all_positive = [
			&self.min_bid_window,
			&self.max_bid_window,
			&self.reveal_window,
			&self.confirm_window,
			&self.deploy_window,
			&self.billing_period,
			&self.verdict_grace,
			&self.heartbeat_grace,
			&self.retention_period,
		]
		.into_iter()
		.all(|blocks| !blocks.is_zero());
		all_positive && self.min_bid_window <= self.max_bid_window
	}
}

/// A FaaS level: the resources a function instance of this level gets.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxTagLen))]
pub struct FaasLevel<MaxTagLen: Get<u32>> {
	/// CPU share in thousandths of a core (1000 = one core).
	pub cpu_millicores: u32,
	/// GPU units (0 for CPU-only levels).
	pub gpu_units: u32,
	/// Memory limit of one instance in MiB.
	pub memory_mb: u32,
	/// Maximum size of the uploaded function package in MiB.
	pub package_mb: u32,
	/// Human-readable class of the level, e.g. `normal`, `graphics`, `ai`.
	pub tag: BoundedVec<u8, MaxTagLen>,
}
/// [`FaasLevel`] with the runtime's tag bound.
pub type FaasLevelOf<T> = FaasLevel<<T as Config>::MaxTagLen>;

impl<MaxTagLen: Get<u32>> FaasLevel<MaxTagLen> {
	/// The unbounded copy used by genesis and the runtime API.
	pub fn to_info(&self) -> LevelInfo {
		LevelInfo {
			cpu_millicores: self.cpu_millicores,
			gpu_units: self.gpu_units,
			memory_mb: self.memory_mb,
			package_mb: self.package_mb,
			tag: self.tag.to_vec(),
		}
	}

	/// A level must give an instance some compute and some memory.
	pub fn is_valid(&self) -> bool {
		(self.cpu_millicores > 0 || self.gpu_units > 0)
			&& self.memory_mb > 0
			&& !self.tag.is_empty()
	}
}

/// A FaaS level without storage bounds: genesis entries and runtime API answers.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	TypeInfo,
	frame_support::Serialize,
	frame_support::Deserialize,
)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase")]
pub struct LevelInfo {
	/// CPU share in thousandths of a core (1000 = one core).
	pub cpu_millicores: u32,
	/// GPU units (0 for CPU-only levels).
	pub gpu_units: u32,
	/// Memory limit of one instance in MiB.
	pub memory_mb: u32,
	/// Maximum size of the uploaded function package in MiB.
	pub package_mb: u32,
	/// Human-readable class of the level (UTF-8 bytes; a JSON string), e.g. `normal`.
	#[serde(with = "defaas_primitives::json::utf8")]
	pub tag: Vec<u8>,
}

impl LevelInfo {
	/// Convenience constructor (used by genesis presets).
	pub fn new(
		cpu_millicores: u32,
		gpu_units: u32,
		memory_mb: u32,
		package_mb: u32,
		tag: &[u8],
	) -> Self {
		Self { cpu_millicores, gpu_units, memory_mb, package_mb, tag: tag.to_vec() }
	}

	/// The bounded level, or `None` if the tag is longer than `MaxTagLen`.
	pub fn try_into_level<MaxTagLen: Get<u32>>(&self) -> Option<FaasLevel<MaxTagLen>> {
		let tag = BoundedVec::try_from(self.tag.clone()).ok()?;
		Some(FaasLevel {
			cpu_millicores: self.cpu_millicores,
			gpu_units: self.gpu_units,
			memory_mb: self.memory_mb,
			package_mb: self.package_mb,
			tag,
		})
	}
}

/// A registered provider.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxEndpointLen, MaxLevels))]
pub struct ProviderRecord<
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxEndpointLen: Get<u32>,
	MaxLevels: Get<u32>,
> {
	/// Stake currently held for the provider (`HoldReason::ProviderStake`).
	pub stake: Balance,
	/// Base URL of the provider's deployment API (UTF-8).
	pub endpoint: BoundedVec<u8, MaxEndpointLen>,
	/// Levels the provider offers.
	pub levels: BoundedVec<LevelId, MaxLevels>,
	/// Account whose signed `heartbeat` calls keep the provider online.
	pub heartbeat_key: AccountId,
	/// Block of the last heartbeat; `None` until the first one.
	pub last_heartbeat: Option<BlockNumber>,
	/// Free capacity per level, as reported by the last heartbeat (informational).
	pub capacity: BoundedVec<(LevelId, u32), MaxLevels>,
	/// Decayed count of successful billing periods, scaled by [`REPUTATION_SCALE`].
	pub successes: u64,
	/// Decayed count of violated billing periods, scaled by [`REPUTATION_SCALE`].
	pub violations: u64,
	/// Bids of this provider whose deposit is still held.
	pub open_bids: u32,
	/// Leases of this provider that have not ended (Deploying or Fulfilling).
	pub active_leases: u32,
	/// Block of registration.
	pub registered_at: BlockNumber,
}
/// [`ProviderRecord`] of a runtime.
pub type ProviderRecordOf<T> = ProviderRecord<
	AccountIdOf<T>,
	BalanceOf<T>,
	BlockNumberFor<T>,
	<T as Config>::MaxEndpointLen,
	<T as Config>::MaxLevelsPerProvider,
>;

impl<AccountId, Balance, BlockNumber, MaxEndpointLen, MaxLevels>
	ProviderRecord<AccountId, Balance, BlockNumber, MaxEndpointLen, MaxLevels>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug + Copy + Saturating + PartialOrd,
	MaxEndpointLen: Get<u32>,
	MaxLevels: Get<u32>,
{
	/// Beta reputation `(s + 1) / (s + v + 2)` of the decayed counters.
	pub fn reputation(&self) -> Permill {
		reputation_of(self.successes, self.violations)
	}

	/// Online iff the last heartbeat is at most `grace` blocks old.
	pub fn is_online(&self, now: BlockNumber, grace: BlockNumber) -> bool {
		match self.last_heartbeat {
			Some(at) => now.saturating_sub(at) <= grace,
			None => false,
		}
	}

	/// Whether the provider offers `level`.
	pub fn offers(&self, level: LevelId) -> bool {
		self.levels.contains(&level)
	}
}

/// Beta reputation of decayed success / violation counters (both scaled by
/// [`REPUTATION_SCALE`]): `(s + 1) / (s + v + 2)`.
pub fn reputation_of(successes: u64, violations: u64) -> Permill {
	let num = successes.saturating_add(REPUTATION_SCALE);
	let den =
		successes.saturating_add(violations).saturating_add(REPUTATION_SCALE.saturating_mul(2));
	Permill::from_rational(num, den)
}

/// A heartbeat made by a provider node's off-chain worker (`worker_heartbeat`), signed by the
/// provider's `prov` heartbeat key over `SCALE((b"defaas/heartbeat", heartbeat))`.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxLevels))]
pub struct Heartbeat<AccountId, BlockNumber, MaxLevels>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxLevels: Get<u32>,
{
	/// The heartbeat key (its account), registered by a provider.
	pub key: AccountId,
	/// Free capacity per offered level (as in `heartbeat`).
	pub capacity: BoundedVec<(LevelId, u32), MaxLevels>,
	/// Block at which the worker made it; valid for `HeartbeatPeriod` blocks from there.
	pub at: BlockNumber,
}
/// [`Heartbeat`] of a runtime.
pub type HeartbeatOf<T> =
	Heartbeat<AccountIdOf<T>, BlockNumberFor<T>, <T as Config>::MaxLevelsPerProvider>;

/// Why an order ended without finishing all its billing periods; names who caused it.
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
	frame_support::Serialize,
	frame_support::Deserialize,
)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase")]
pub enum CloseReason {
	/// No provider revealed a valid bid (market).
	NoValidBid,
	/// The auction winner and every fallback candidate failed to confirm (providers).
	WinnersDidNotConfirm,
	/// The provider confirmed but did not call `fulfill` within the deploy window (provider).
	ProviderDidNotDeploy,
	/// The provider aborted the deployment (provider).
	ProviderAborted,
	/// The customer cancelled the order before it was fulfilled (customer).
	CustomerCancelled,
	/// `ViolationsToTerminate` consecutive billing periods were violated (provider).
	RepeatedViolations,
	/// The SLA monitor delivered no verdict within the `verdict_grace` timing (monitor).
	MonitorTimedOut,
	/// The monitor refused to watch the lease when the provider fulfilled (monitor).
	MonitorUnavailable,
	/// The provider disputed the hand-off and the customer did not publish its package in
	/// time, or the committee found the published package unavailable, not the committed
	/// bytes or not a component (customer).
	CustomerDidNotDeliver,
}

/// The state of an order. Every non-terminal state carries the block at which its deadline
/// expires: the state's action is allowed while `now < deadline`, and from `deadline` on
/// anyone may `advance` the order. Terminal states carry the block from which the record
/// may be pruned.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	TypeInfo,
	MaxEncodedLen,
	frame_support::Serialize,
	frame_support::Deserialize,
)]
#[serde(
	crate = "frame_support::__private::serde",
	rename_all = "camelCase",
	rename_all_fields = "camelCase"
)]
#[serde(bound(
	serialize = "AccountId: frame_support::Serialize, Balance: core::fmt::Display, \
	             BlockNumber: frame_support::Serialize",
	deserialize = "AccountId: frame_support::Deserialize<'de>, Balance: core::str::FromStr, \
	               BlockNumber: frame_support::Deserialize<'de>"
))]
pub enum OrderState<AccountId, Balance, BlockNumber> {
	/// Providers commit sealed bids until `bidding_ends`.
	Bidding {
		/// First block at which bids are no longer accepted.
		bidding_ends: BlockNumber,
	},
	/// Bidders reveal their bids until `reveal_ends`; then the auction closes.
	Revealing {
		/// First block at which reveals are no longer accepted.
		reveal_ends: BlockNumber,
	},
	/// The auction chose `candidate`, which must confirm before `confirm_until`.
	Confirming {
		/// Provider that must confirm.
		candidate: AccountId,
		/// Its revealed unit price (a decimal string in JSON).
		#[serde(with = "defaas_primitives::json::string")]
		price: Balance,
		/// First block at which the confirmation is late.
		confirm_until: BlockNumber,
	},
	/// The lease exists; the provider deploys and calls `fulfill` before `deploy_until`.
	Deploying {
		/// First block at which the deployment is late.
		deploy_until: BlockNumber,
	},
	/// The function is served; round `round` (0-based billing period) is the next to settle.
	Fulfilling {
		/// Next round (billing period) awaiting its verdict.
		round: u32,
		/// First block at which the verdict for `round` is late.
		verdict_due: BlockNumber,
	},
	/// Every billing period was settled.
	Finished {
		/// First block at which the record may be pruned.
		prune_at: BlockNumber,
	},
	/// The order ended early through nobody's explicit choice.
	Failed {
		/// Who caused it.
		reason: CloseReason,
		/// First block at which the record may be pruned.
		prune_at: BlockNumber,
	},
	/// The order was called off by the customer or the provider (or the provider's timeout).
	Cancelled {
		/// Who caused it.
		reason: CloseReason,
		/// First block at which the record may be pruned.
		prune_at: BlockNumber,
	},
	// Appended (variant indices are part of the stored encoding).
	/// The provider disputed the hand-off (no valid package reached it); the customer
	/// publishes the package with `publish_package` before `publish_until` (docs/architecture.md §5.3).
	HandoffDisputed {
		/// First block at which publishing is late (the customer failed the hand-off).
		publish_until: BlockNumber,
	},
	/// A witness committee checks the published package (one round of the monitor); the
	/// provider may still `fulfill` meanwhile.
	HandoffChecking {
		/// First block at which the committee's verdict is late (nobody is blamed).
		verdict_due: BlockNumber,
	},
}

impl<AccountId, Balance, BlockNumber: Copy> OrderState<AccountId, Balance, BlockNumber> {
	/// The block at which this state's deadline (or the pruning of a terminal state) is due.
	pub fn deadline(&self) -> BlockNumber {
		match self {
			Self::Bidding { bidding_ends } => *bidding_ends,
			Self::Revealing { reveal_ends } => *reveal_ends,
			Self::Confirming { confirm_until, .. } => *confirm_until,
			Self::Deploying { deploy_until } => *deploy_until,
			Self::Fulfilling { verdict_due, .. } => *verdict_due,
			Self::HandoffDisputed { publish_until } => *publish_until,
			Self::HandoffChecking { verdict_due } => *verdict_due,
			Self::Finished { prune_at }
			| Self::Failed { prune_at, .. }
			| Self::Cancelled { prune_at, .. } => *prune_at,
		}
	}

	/// Finished, Failed or Cancelled.
	pub fn is_terminal(&self) -> bool {
		matches!(self, Self::Finished { .. } | Self::Failed { .. } | Self::Cancelled { .. })
	}

	/// Deploying, or its hand-off disputed or being checked: a lease that has not started.
	pub fn is_handoff(&self) -> bool {
		matches!(
			self,
			Self::Deploying { .. } | Self::HandoffDisputed { .. } | Self::HandoffChecking { .. }
		)
	}

	/// Bidding or Revealing: the auction is still running.
	pub fn is_auction(&self) -> bool {
		matches!(self, Self::Bidding { .. } | Self::Revealing { .. })
	}
}

/// The lease of an order: created when the winner confirms.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct LeaseRecord<AccountId, Balance, BlockNumber> {
	/// The provider serving the function.
	pub provider: AccountId,
	/// Price of one billing period (the winning bid).
	pub unit_price: Balance,
	/// Block of `fulfill`: the first billing period starts here. `None` while Deploying.
	pub start: Option<BlockNumber>,
	/// Billing periods settled so far.
	pub settled: u32,
	/// Billing periods settled as violated.
	pub violations: u32,
	/// Violated periods since the last successful one.
	pub consecutive_violations: u32,
	/// Stake moved from the provider to the customer as violation compensation.
	pub compensation: Balance,
}

/// An order and its escrow.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct OrderRecord<AccountId, Asset, Balance, BlockNumber> {
	/// Account that created the order and controls it.
	pub customer: AccountId,
	/// Account whose funds are held for the order: the customer or its sponsor.
	pub payer: AccountId,
	/// The payment asset: prepay, prices, payments and refunds are all in it.
	pub asset: Asset,
	/// Requested FaaS level.
	pub level: LevelId,
	/// Number of billing periods.
	pub periods: u32,
	/// Length of one billing period in blocks: the `billing_period` timing in force when the
	/// order was created (later changes of the timings do not affect it).
	pub period_length: BlockNumber,
	/// Highest acceptable price of one billing period.
	pub max_unit_price: Balance,
	/// Size of the witness committee of each round.
	pub committee_size: u32,
	/// `blake2_256` of the function package the customer will upload.
	pub package_hash: [u8; 32],
	/// Lowest provider reputation allowed to bid.
	pub min_reputation: Permill,
	/// Amount held from the payer (`HoldReason::OrderPrepay`) at creation.
	pub prepay: Balance,
	/// Part of the prepay moved to the provider.
	pub paid: Balance,
	/// Part of the prepay released back to the payer.
	pub refunded: Balance,
	/// Current state.
	pub state: OrderState<AccountId, Balance, BlockNumber>,
	/// The lease, once a provider confirmed.
	pub lease: Option<LeaseRecord<AccountId, Balance, BlockNumber>>,
	/// Block of creation.
	pub created_at: BlockNumber,
}
/// [`OrderRecord`] of a runtime.
pub type OrderRecordOf<T> =
	OrderRecord<AccountIdOf<T>, AssetKindOf<T>, BalanceOf<T>, BlockNumberFor<T>>;
/// [`OrderState`] of a runtime.
pub type OrderStateOf<T> = OrderState<AccountIdOf<T>, BalanceOf<T>, BlockNumberFor<T>>;
/// [`LeaseRecord`] of a runtime.
pub type LeaseRecordOf<T> = LeaseRecord<AccountIdOf<T>, BalanceOf<T>, BlockNumberFor<T>>;

impl<AccountId, Asset, Balance: Saturating + Copy, BlockNumber>
	OrderRecord<AccountId, Asset, Balance, BlockNumber>
{
	/// What is still held from the payer for this order: `prepay - paid - refunded`.
	pub fn outstanding(&self) -> Balance {
		self.prepay.saturating_sub(self.paid).saturating_sub(self.refunded)
	}

	/// How the billing periods went so far: settled ones paid or violated, the rest unsettled.
	pub fn tally(&self) -> PeriodTally {
		let (settled, violated) =
			self.lease.as_ref().map(|lease| (lease.settled, lease.violations)).unwrap_or((0, 0));
		PeriodTally {
			periods: self.periods,
			paid: settled.saturating_sub(violated),
			violated,
			unsettled: self.periods.saturating_sub(settled),
		}
	}
}

/// A sealed bid; `price` is set once revealed.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct BidRecord<AccountId, Balance, BlockNumber> {
	/// The bidding provider.
	pub provider: AccountId,
	/// `blake2_256(SCALE(order_id, price, salt, provider))`.
	pub commitment: [u8; 32],
	/// Deposit held for the bid (`HoldReason::BidDeposit`).
	pub deposit: Balance,
	/// Block of the commit (first tie-breaker).
	pub committed_at: BlockNumber,
	/// Index of the commit extrinsic in its block (second tie-breaker).
	pub extrinsic_index: u32,
	/// The revealed unit price.
	pub price: Option<Balance>,
}
/// [`BidRecord`] of a runtime.
pub type BidRecordOf<T> = BidRecord<AccountIdOf<T>, BalanceOf<T>, BlockNumberFor<T>>;
/// The bids of one order: commit order during the auction, rank order after it closed.
pub type BidsOf<T> = BoundedVec<BidRecordOf<T>, <T as Config>::MaxBidsPerOrder>;
/// Recent clearing prices of one level, oldest first.
pub type RecentPricesOf<T> = BoundedVec<BalanceOf<T>, <T as Config>::MaxRecentPrices>;
/// Orders whose deadline is due at one block.
pub type DeadlineBucketOf<T> = BoundedVec<OrderId, <T as Config>::MaxDeadlinesPerBlock>;

// ---------------------------------------------------------------------------------------------
// Runtime API views
// ---------------------------------------------------------------------------------------------

/// An order as returned by `MarketApi::order` / `open_orders`.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	TypeInfo,
	frame_support::Serialize,
	frame_support::Deserialize,
)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase")]
#[serde(bound(
	serialize = "AccountId: frame_support::Serialize, Asset: frame_support::Serialize, \
	             Balance: core::fmt::Display, BlockNumber: frame_support::Serialize",
	deserialize = "AccountId: frame_support::Deserialize<'de>, \
	               Asset: frame_support::Deserialize<'de>, Balance: core::str::FromStr, \
	               BlockNumber: frame_support::Deserialize<'de>"
))]
pub struct OrderView<AccountId, Asset, Balance, BlockNumber> {
	/// Order id.
	pub order_id: OrderId,
	/// Customer.
	pub customer: AccountId,
	/// Account whose funds are held (customer or sponsor).
	pub payer: AccountId,
	/// The payment asset of every amount below (`"Native"` for FST, `{"WithId": id}`).
	pub asset: Asset,
	/// FaaS level.
	pub level: LevelId,
	/// Billing periods.
	pub periods: u32,
	/// Length of one billing period in blocks (fixed when the order was created).
	pub period_length: BlockNumber,
	/// Highest acceptable unit price.
	#[serde(with = "defaas_primitives::json::string")]
	pub max_unit_price: Balance,
	/// Witness committee size per round.
	pub committee_size: u32,
	/// `blake2_256` of the function package (a `0x` hex string in JSON).
	pub package_hash: H256,
	/// Lowest provider reputation allowed to bid (parts per million).
	pub min_reputation: Permill,
	/// Amount held at creation.
	#[serde(with = "defaas_primitives::json::string")]
	pub prepay: Balance,
	/// Amount paid to the provider so far.
	#[serde(with = "defaas_primitives::json::string")]
	pub paid: Balance,
	/// Amount released back to the payer so far.
	#[serde(with = "defaas_primitives::json::string")]
	pub refunded: Balance,
	/// Stored state (deadline-driven transitions are applied lazily; a state whose deadline
	/// passed is advanced by the next `advance` or `on_idle`).
	pub state: OrderState<AccountId, Balance, BlockNumber>,
	/// Number of bids stored for the order (commits during the auction, candidates after).
	pub bids: u32,
	/// Provider of the lease, if any.
	pub provider: Option<AccountId>,
	/// Unit price of the lease, if any.
	#[serde(with = "defaas_primitives::json::string_opt")]
	pub unit_price: Option<Balance>,
	/// First block of round 0, once fulfilled.
	pub lease_start: Option<BlockNumber>,
	/// Billing periods settled.
	pub settled_periods: u32,
	/// Billing periods settled as violated.
	pub violated_periods: u32,
	/// Block of creation.
	pub created_at: BlockNumber,
}

/// A provider as returned by `MarketApi::provider`.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	TypeInfo,
	frame_support::Serialize,
	frame_support::Deserialize,
)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase")]
#[serde(bound(
	serialize = "AccountId: frame_support::Serialize, Balance: core::fmt::Display, \
	             BlockNumber: frame_support::Serialize",
	deserialize = "AccountId: frame_support::Deserialize<'de>, Balance: core::str::FromStr, \
	               BlockNumber: frame_support::Deserialize<'de>"
))]
pub struct ProviderView<AccountId, Balance, BlockNumber> {
	/// Provider account.
	pub provider: AccountId,
	/// Stake held.
	#[serde(with = "defaas_primitives::json::string")]
	pub stake: Balance,
	/// Deployment API base URL (UTF-8 bytes; a JSON string).
	#[serde(with = "defaas_primitives::json::utf8")]
	pub endpoint: Vec<u8>,
	/// Offered levels.
	pub levels: Vec<LevelId>,
	/// Heartbeat key.
	pub heartbeat_key: AccountId,
	/// Block of the last heartbeat.
	pub last_heartbeat: Option<BlockNumber>,
	/// Whether the provider is online now.
	pub online: bool,
	/// Free capacity per level from the last heartbeat.
	pub capacity: Vec<(LevelId, u32)>,
	/// Beta reputation (parts per million).
	pub reputation: Permill,
	/// Decayed successful periods (scaled by 10^6).
	pub successes: u64,
	/// Decayed violated periods (scaled by 10^6).
	pub violations: u64,
	/// Bids with a held deposit.
	pub open_bids: u32,
	/// Leases not yet ended.
	pub active_leases: u32,
}

/// A price quote as returned by `MarketApi::quote`.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	TypeInfo,
	frame_support::Serialize,
	frame_support::Deserialize,
)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase")]
#[serde(bound(
	serialize = "Asset: frame_support::Serialize, Balance: core::fmt::Display",
	deserialize = "Asset: frame_support::Deserialize<'de>, Balance: core::str::FromStr"
))]
pub struct Quote<Asset, Balance> {
	/// The payment asset of the prices.
	pub asset: Asset,
	/// Recent clearing unit prices of the level, oldest first (decimal strings in JSON, as
	/// every balance).
	#[serde(with = "defaas_primitives::json::string_vec")]
	pub recent_prices: Vec<Balance>,
	/// Median of `recent_prices` (mean of the two middle values for an even count).
	#[serde(with = "defaas_primitives::json::string")]
	pub median_unit_price: Balance,
	/// `periods × median_unit_price`: the expected fee.
	#[serde(with = "defaas_primitives::json::string")]
	pub estimated_fee: Balance,
	/// `PrepayFactor × periods × median_unit_price`: what `create_order` holds with
	/// `max_unit_price = median_unit_price`.
	#[serde(with = "defaas_primitives::json::string")]
	pub prepay: Balance,
	/// Largest committee an order may ask for now: the witnesses that could serve in it
	/// (an order with a larger committee is refused with `NotEnoughWitnesses`).
	pub max_committee: u32,
}

/// The customer's terms of a new order (the arguments of `create_order` but the sponsor).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct OrderTerms<Asset, Balance, BlockNumber> {
	/// The payment asset.
	pub asset: Asset,
	/// Requested FaaS level.
	pub level: LevelId,
	/// Number of billing periods.
	pub periods: u32,
	/// Highest acceptable price of one billing period.
	pub max_unit_price: Balance,
	/// Witness committee size per round.
	pub committee_size: u32,
	/// Length of the bid window in blocks.
	pub bid_window: BlockNumber,
	/// `blake2_256` of the function package.
	pub package_hash: [u8; 32],
	/// Lowest provider reputation allowed to bid.
	pub min_reputation: Permill,
}
/// [`OrderTerms`] of a runtime.
pub type OrderTermsOf<T> = OrderTerms<AssetKindOf<T>, BalanceOf<T>, BlockNumberFor<T>>;
