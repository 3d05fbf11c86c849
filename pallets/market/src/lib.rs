#![cfg_attr(not(feature = "std"), no_std)]
// Tests may compute freely (clippy.toml lets them unwrap, expect, panic and index).
#![cfg_attr(test, allow(clippy::arithmetic_side_effects, clippy::unreachable))]
#![doc = include_str!("../README.md")]

extern crate alloc;

pub use pallet::*;

mod api;
pub mod heartbeat_crypto;
mod impls;
pub mod migrations;
pub mod traits;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use impls::{
	offchain::{heartbeat_worker_key, HeartbeatWorkerRecord, HEARTBEAT_WORKER_PREFIX},
	providers::WORKER_HEARTBEAT_PRIORITY,
};
pub use traits::{ProviderDirectory, SlaMonitor, SlaVerdictHandler, Verdict};
pub use types::*;
pub use weights::WeightInfo;

/// Log target of this pallet.
pub(crate) const LOG_TARGET: &str = "runtime::market";

// `create_order` takes the eight parameters of docs/architecture.md §5.3; the generated call constructors too.
#[allow(clippy::too_many_arguments)]
// The FRAME macros expand to `expect`/`unreachable!` in generated code (storage prefixes, call
// dispatch); the pallet's own logic lives outside this module, under the workspace lints.
#[allow(clippy::expect_used, clippy::unreachable, clippy::panic, clippy::indexing_slicing)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use defaas_primitives::traits::{PaymentAllowances, SlashSink};
	use frame_support::{
		pallet_prelude::*,
		traits::{fungible, fungibles, BuildGenesisConfig, EnsureOrigin},
	};
	use frame_system::pallet_prelude::*;
	use sp_core::sr25519;
	use sp_runtime::{
		traits::{IdentifyAccount, Verify},
		Perbill, Permill,
	};

	/// The in-code storage version.
	///
	/// 1: orders name their payment asset; recent prices are kept per level and asset
	/// (`migrations::v1`).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the market pallet.
	///
	/// The runtime must be able to build fee-less authorized transactions
	/// (`CreateAuthorizedTransaction`, with `frame_system::AuthorizeCall` in its extension
	/// pipeline) for the heartbeat worker's `worker_heartbeat`.
	#[pallet::config]
	pub trait Config:
		frame_system::Config + frame_system::offchain::CreateAuthorizedTransaction<Call<Self>>
	{
		/// The native token (FST): holds for provider stakes and bid deposits.
		type Currency: fungible::Inspect<Self::AccountId>
			+ fungible::Mutate<Self::AccountId>
			+ fungible::InspectHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ fungible::MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// What an order pays in: FST or another asset (`NativeOrWithId<u32>` in the runtime).
		type AssetKind: Parameter + Member + MaxEncodedLen + Ord + Clone + MaybeSerializeDeserialize;

		/// FST among the asset kinds: always a payment asset.
		#[pallet::constant]
		type NativeAsset: Get<Self::AssetKind>;

		/// Every payment asset, FST included (FST through the same holds as `Currency`): the
		/// order prepays are held, paid and released through it.
		type PaymentFunds: fungibles::Inspect<
				Self::AccountId,
				AssetId = Self::AssetKind,
				Balance = BalanceOf<Self>,
			> + fungibles::InspectHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ fungibles::MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// Origin allowed to append FaaS levels (Root in the dev runtime).
		type LevelAdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The SLA monitor (the witness pool) that watches fulfilled leases.
		type SlaMonitor: SlaMonitor<Self::AccountId, BlockNumberFor<Self>>;

		/// Where forfeited bid deposits and the stake of badly reputed leaving providers go.
		type SlashSink: SlashSink<Self::AccountId, BalanceOf<Self>, Self::RuntimeHoldReason>;

		/// Allowances, per payment asset, through which a sponsor funds someone else's order.
		type Allowances: PaymentAllowances<Self::AccountId, Self::AssetKind, BalanceOf<Self>>;

		/// Maximum number of payment assets besides FST.
		#[pallet::constant]
		type MaxPaymentAssets: Get<u32>;

		/// Creates and funds a payment asset for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: crate::traits::BenchmarkHelper<
			Self::AccountId,
			Self::AssetKind,
			BalanceOf<Self>,
		>;

		/// Maximum length of a level tag in bytes.
		#[pallet::constant]
		type MaxTagLen: Get<u32>;

		/// Maximum length of a provider endpoint URL in bytes.
		#[pallet::constant]
		type MaxEndpointLen: Get<u32>;

		/// Maximum number of levels one provider offers (and capacity entries per heartbeat).
		#[pallet::constant]
		type MaxLevelsPerProvider: Get<u32>;

		/// Minimum stake held from a provider at registration and required to bid.
		#[pallet::constant]
		type MinProviderStake: Get<BalanceOf<Self>>;

		/// Fraction of the reputation counters forgotten on each update.
		#[pallet::constant]
		type ReputationDecay: Get<Perbill>;

		/// Reputation at or above which a leaving provider gets its stake back.
		#[pallet::constant]
		type MinReputationForRefund: Get<Permill>;

		/// Prepay = `PrepayFactor × periods × max_unit_price` (at least 1).
		#[pallet::constant]
		type PrepayFactor: Get<u32>;

		/// Maximum number of billing periods of one order.
		#[pallet::constant]
		type MaxPeriods: Get<u32>;

		/// Minimum witness committee size an order may ask for.
		#[pallet::constant]
		type MinCommittee: Get<u32>;

		/// Maximum witness committee size an order may ask for.
		#[pallet::constant]
		type MaxCommittee: Get<u32>;

		/// Time parameters (windows, billing period, graces, retention) used while
		/// [`Timings`] is empty, i.e. unless genesis or `set_timings` stored others: the
		/// production values.
		#[pallet::constant]
		type DefaultTimings: Get<MarketTimingsOf<Self>>;

		/// Deposit held for every sealed bid.
		#[pallet::constant]
		type BidDeposit: Get<BalanceOf<Self>>;

		/// Maximum number of bids per order.
		#[pallet::constant]
		type MaxBidsPerOrder: Get<u32>;

		/// Revealed runners-up kept (deposit held) as fallback candidates if the winner does
		/// not confirm.
		#[pallet::constant]
		type MaxFallbackCandidates: Get<u32>;

		/// Stake moved from the provider to the customer for each violated period.
		#[pallet::constant]
		type ViolationSlash: Get<BalanceOf<Self>>;

		/// Consecutive violated periods that end a lease early.
		#[pallet::constant]
		type ViolationsToTerminate: Get<u32>;

		/// Clearing prices remembered per level for quotes.
		#[pallet::constant]
		type MaxRecentPrices: Get<u32>;

		/// Capacity of one block's bucket in the deadline index.
		#[pallet::constant]
		type MaxDeadlinesPerBlock: Get<u32>;

		/// Blocks between two heartbeats of a provider node's off-chain worker (docs/architecture.md §7.1): it
		/// probes and beats at every multiple of this, and a heartbeat made at block `n` is
		/// valid until block `n + HeartbeatPeriod` (exclusive). Must be at least 2 (the pool
		/// validates against the next block) and well below the `heartbeat_grace` timing (of
		/// `DefaultTimings` and of every preset), so that a provider survives a missed or late
		/// heartbeat; a quarter of it is a good value.
		#[pallet::constant]
		type HeartbeatPeriod: Get<BlockNumberFor<Self>>;

		/// Deadline of the heartbeat worker's `GET {endpoint}/healthz`, in milliseconds.
		#[pallet::constant]
		type HeartbeatProbeTimeoutMs: Get<u64>;

		/// The public key behind a heartbeat key's account, made from the node's `prov`
		/// sr25519 key (`MultiSigner` in the runtime).
		type WorkerPublic: IdentifyAccount<AccountId = Self::AccountId> + From<sr25519::Public>;

		/// A heartbeat key's signature of a `worker_heartbeat` (`MultiSignature` in the
		/// runtime).
		type WorkerSignature: Verify<Signer = Self::WorkerPublic>
			+ From<sr25519::Signature>
			+ Parameter;

		/// Weight information for the calls of this pallet.
		type WeightInfo: WeightInfo;
	}

	/// Reasons for which the market holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// Stake of a registered provider.
		#[codec(index = 0)]
		ProviderStake,
		/// Prepay of an order, held from its payer (customer or sponsor).
		#[codec(index = 1)]
		OrderPrepay,
		/// Deposit of a sealed bid.
		#[codec(index = 2)]
		BidDeposit,
	}

	/// Id the next added level gets.
	#[pallet::storage]
	pub type NextLevelId<T> = StorageValue<_, LevelId, ValueQuery>;

	/// The append-only FaaS level table.
	#[pallet::storage]
	pub type Levels<T: Config> = StorageMap<_, Twox64Concat, LevelId, FaasLevelOf<T>, OptionQuery>;

	/// Registered providers.
	#[pallet::storage]
	pub type Providers<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, ProviderRecordOf<T>, OptionQuery>;

	/// Heartbeat key → provider.
	#[pallet::storage]
	pub type HeartbeatKeys<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, T::AccountId, OptionQuery>;

	/// Id the next created order gets.
	#[pallet::storage]
	pub type NextOrderId<T> = StorageValue<_, OrderId, ValueQuery>;

	/// Orders (pruned `retention_period` blocks after they ended).
	#[pallet::storage]
	pub type Orders<T: Config> =
		StorageMap<_, Twox64Concat, OrderId, OrderRecordOf<T>, OptionQuery>;

	/// Bids of an order: commit order during the auction, rank order (candidate first) after.
	#[pallet::storage]
	pub type Bids<T: Config> = StorageMap<_, Twox64Concat, OrderId, BidsOf<T>, ValueQuery>;

	/// Index of the orders whose auction is running (Bidding or Revealing), by level.
	#[pallet::storage]
	pub type OpenOrders<T: Config> =
		StorageDoubleMap<_, Twox64Concat, LevelId, Twox64Concat, OrderId, (), OptionQuery>;

	/// Recent clearing unit prices per level and payment asset (ring buffer, oldest first).
	#[pallet::storage]
	pub type RecentPrices<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		LevelId,
		Blake2_128Concat,
		T::AssetKind,
		RecentPricesOf<T>,
		ValueQuery,
	>;

	/// The payment assets besides FST (which is always one), with the least prepay an order
	/// in each must hold. Root-controlled, at most `MaxPaymentAssets`.
	#[pallet::storage]
	pub type PaymentAssets<T: Config> =
		CountedStorageMap<_, Blake2_128Concat, T::AssetKind, BalanceOf<T>, OptionQuery>;

	/// Deadline index: orders with a deadline due at a block (bucket full → next block).
	#[pallet::storage]
	pub type Deadlines<T: Config> =
		StorageMap<_, Twox64Concat, BlockNumberFor<T>, DeadlineBucketOf<T>, ValueQuery>;

	/// First block of the deadline index not yet swept by `on_idle`.
	#[pallet::storage]
	pub type DeadlineCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, OptionQuery>;

	/// Time parameters set at genesis or by `set_timings`; empty means
	/// `Config::DefaultTimings` (read through [`Pallet::timings`]).
	#[pallet::storage]
	pub type Timings<T: Config> = StorageValue<_, MarketTimingsOf<T>, OptionQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A FaaS level was appended.
		LevelAdded {
			/// Its id.
			level_id: LevelId,
			/// Its resources.
			level: FaasLevelOf<T>,
		},
		/// A provider registered.
		ProviderRegistered {
			/// The provider.
			provider: T::AccountId,
			/// Stake held.
			stake: BalanceOf<T>,
			/// Key that signs its heartbeats.
			heartbeat_key: T::AccountId,
		},
		/// A provider changed its endpoint or levels.
		ProviderUpdated {
			/// The provider.
			provider: T::AccountId,
		},
		/// A provider's heartbeat was recorded.
		HeartbeatReceived {
			/// The provider.
			provider: T::AccountId,
		},
		/// A provider left the market.
		ProviderUnregistered {
			/// The provider.
			provider: T::AccountId,
			/// Stake released to it.
			released: BalanceOf<T>,
			/// Stake taken by the slash sink (reputation below `MinReputationForRefund`).
			slashed: BalanceOf<T>,
		},
		/// An order was created and its auction opened.
		OrderCreated {
			/// The order.
			order_id: OrderId,
			/// Its customer.
			customer: T::AccountId,
			/// Whose funds are held (customer or sponsor).
			payer: T::AccountId,
			/// What it pays in; every amount of the order is in this asset.
			asset: T::AssetKind,
			/// Requested level.
			level: LevelId,
			/// Billing periods.
			periods: u32,
			/// Highest acceptable unit price.
			max_unit_price: BalanceOf<T>,
			/// Amount held from the payer.
			prepay: BalanceOf<T>,
			/// First block at which bids are no longer accepted.
			bidding_ends: BlockNumberFor<T>,
		},
		/// A sealed bid was committed.
		BidCommitted {
			/// The order.
			order_id: OrderId,
			/// The bidding provider.
			provider: T::AccountId,
		},
		/// The bid window ended; bids may now be revealed.
		RevealStarted {
			/// The order.
			order_id: OrderId,
			/// First block at which reveals are no longer accepted.
			reveal_ends: BlockNumberFor<T>,
		},
		/// A bid was revealed.
		BidRevealed {
			/// The order.
			order_id: OrderId,
			/// The provider.
			provider: T::AccountId,
			/// Its unit price.
			price: BalanceOf<T>,
		},
		/// A bid deposit was released to its provider.
		BidDepositReleased {
			/// The order.
			order_id: OrderId,
			/// The provider.
			provider: T::AccountId,
			/// Amount released.
			amount: BalanceOf<T>,
		},
		/// A bid deposit was forfeited to the slash sink (unrevealed bid, missed confirmation
		/// or missed deployment).
		BidDepositForfeited {
			/// The order.
			order_id: OrderId,
			/// The provider.
			provider: T::AccountId,
			/// Amount taken by the slash sink.
			amount: BalanceOf<T>,
		},
		/// The auction closed with a candidate that must confirm.
		AuctionClosed {
			/// The order.
			order_id: OrderId,
			/// Lowest-price (earliest on ties) revealed bidder.
			candidate: T::AccountId,
			/// Its unit price.
			price: BalanceOf<T>,
			/// Number of revealed bids.
			revealed: u32,
			/// First block at which the confirmation is late.
			confirm_until: BlockNumberFor<T>,
		},
		/// The candidate did not confirm in time; the next-best revealed bidder must confirm.
		CandidateReplaced {
			/// The order.
			order_id: OrderId,
			/// The candidate that did not confirm.
			previous: T::AccountId,
			/// The new candidate.
			candidate: T::AccountId,
			/// Its unit price.
			price: BalanceOf<T>,
			/// First block at which the confirmation is late.
			confirm_until: BlockNumberFor<T>,
		},
		/// The winner confirmed: the lease exists and the provider deploys. `unit_price` is
		/// the clearing price of `level` in `asset` (the price history clients chart).
		OrderConfirmed {
			/// The order.
			order_id: OrderId,
			/// The order's FaaS level.
			level: LevelId,
			/// The payment asset the price is in.
			asset: T::AssetKind,
			/// The provider.
			provider: T::AccountId,
			/// Price of one billing period.
			unit_price: BalanceOf<T>,
			/// First block at which the deployment is late.
			deploy_until: BlockNumberFor<T>,
		},
		/// The provider deployed; billing period 0 starts and the monitor watches the lease.
		LeaseStarted {
			/// The order.
			order_id: OrderId,
			/// The provider.
			provider: T::AccountId,
			/// First block of round 0.
			first_period_start: BlockNumberFor<T>,
			/// Length of one billing period.
			period_length: BlockNumberFor<T>,
			/// Number of billing periods.
			periods: u32,
		},
		/// One billing period was settled according to its verdict.
		PeriodSettled {
			/// The order.
			order_id: OrderId,
			/// The round (0-based billing period).
			round: u32,
			/// The monitor's verdict.
			verdict: Verdict,
			/// Amount moved from the payer's hold to the provider.
			paid: BalanceOf<T>,
			/// Stake moved from the provider to the customer.
			compensation: BalanceOf<T>,
			/// The provider's reputation after the update.
			reputation: Permill,
		},
		/// Every billing period was settled; the rest of the prepay was released.
		OrderFinished {
			/// The order.
			order_id: OrderId,
			/// Total paid to the provider.
			paid: BalanceOf<T>,
			/// Total released back to the payer.
			refunded: BalanceOf<T>,
			/// How its billing periods went: paid, violated, never settled.
			tally: PeriodTally,
		},
		/// The order failed; the rest of the prepay was released.
		OrderFailed {
			/// The order.
			order_id: OrderId,
			/// Who caused it.
			reason: CloseReason,
			/// Total paid to the provider.
			paid: BalanceOf<T>,
			/// Total released back to the payer.
			refunded: BalanceOf<T>,
			/// How its billing periods went: paid, violated, never settled.
			tally: PeriodTally,
		},
		/// The order was cancelled; the rest of the prepay was released.
		OrderCancelled {
			/// The order.
			order_id: OrderId,
			/// Who caused it.
			reason: CloseReason,
			/// Total paid to the provider.
			paid: BalanceOf<T>,
			/// Total released back to the payer.
			refunded: BalanceOf<T>,
			/// How its billing periods went: paid, violated, never settled.
			tally: PeriodTally,
		},
		/// An ended order's record was removed after the retention period.
		OrderPruned {
			/// The order.
			order_id: OrderId,
		},
		/// The provider disputed the hand-off: the customer publishes its package before
		/// `publish_until` or pays for the failed hand-off.
		HandoffDisputed {
			/// The order.
			order_id: OrderId,
			/// The lease's provider.
			provider: T::AccountId,
			/// First block at which publishing is late.
			publish_until: BlockNumberFor<T>,
		},
		/// The customer published its package; a committee checks it.
		PackagePublished {
			/// The order.
			order_id: OrderId,
			/// Where the package is.
			url: PackageUrl,
			/// First block at which the committee's verdict is late.
			verdict_due: BlockNumberFor<T>,
		},
		/// The time parameters were changed; they apply to deadlines computed from now on.
		TimingsSet {
			/// The new time parameters.
			timings: MarketTimingsOf<T>,
		},
		/// An asset was accepted for payment, or its minimum prepay changed.
		PaymentAssetSet {
			/// The asset.
			asset: T::AssetKind,
			/// The least prepay of an order in it.
			min_prepay: BalanceOf<T>,
		},
		/// An asset is no longer accepted for new orders (running orders keep it).
		PaymentAssetRemoved {
			/// The asset.
			asset: T::AssetKind,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The level table is full (`LevelId` overflow).
		LevelIdOverflow,
		/// A level needs CPU or GPU, memory and a non-empty tag.
		InvalidLevel,
		/// No level with this id.
		UnknownLevel,
		/// The account is already a registered provider.
		AlreadyRegistered,
		/// The account is not a registered provider.
		NotProvider,
		/// The stake is below `MinProviderStake`.
		StakeTooLow,
		/// The endpoint is empty.
		EmptyEndpoint,
		/// A provider must offer at least one level.
		NoLevels,
		/// A level appears twice.
		DuplicateLevel,
		/// The heartbeat key is already used by a provider.
		HeartbeatKeyInUse,
		/// The signer is no provider's heartbeat key.
		UnknownHeartbeatKey,
		/// The heartbeat reports capacity for a level the provider does not offer.
		CapacityForUnofferedLevel,
		/// The provider still has bids with a held deposit in running auctions (committed,
		/// revealed, or waiting for its confirmation as the candidate).
		HasOpenBids,
		/// The provider still has a lease that has not ended: one it serves, or one it won and
		/// has not deployed yet (`fulfill` it, or `abort_lease` before the deploy deadline).
		HasActiveLeases,
		/// The account cannot afford the hold.
		InsufficientBalance,
		/// An order needs at least one billing period.
		ZeroPeriods,
		/// More billing periods than `MaxPeriods`.
		TooManyPeriods,
		/// Committee size below `MinCommittee`.
		CommitteeTooSmall,
		/// Committee size above `MaxCommittee`.
		CommitteeTooLarge,
		/// Bid window shorter than the `min_bid_window` timing.
		BidWindowTooShort,
		/// Bid window longer than the `max_bid_window` timing.
		BidWindowTooLong,
		/// Prices must be positive.
		ZeroPrice,
		/// An amount overflowed.
		Overflow,
		/// The sponsor's allowance to the customer is below the prepay.
		InsufficientAllowance,
		/// The deadline index has no room near the deadline.
		DeadlineIndexFull,
		/// No order with this id.
		OrderNotFound,
		/// Only the order's customer may do this.
		NotCustomer,
		/// The order can no longer be cancelled (fulfilled or ended).
		CannotCancel,
		/// The order is not accepting bids (not Bidding, or the bid window ended).
		BiddingClosed,
		/// The order's customer cannot bid on it.
		OwnOrder,
		/// The provider has not sent a heartbeat within the `heartbeat_grace` timing.
		ProviderOffline,
		/// The provider does not offer the order's level.
		LevelNotOffered,
		/// The provider's reputation is below the order's `min_reputation`.
		ReputationTooLow,
		/// The provider already bid on this order.
		AlreadyBid,
		/// The order already has `MaxBidsPerOrder` bids.
		TooManyBids,
		/// The order is not in its reveal window.
		NotRevealing,
		/// The provider has no bid on this order.
		BidNotFound,
		/// The bid was already revealed.
		AlreadyRevealed,
		/// Price and salt do not match the commitment.
		CommitmentMismatch,
		/// The revealed price is above the order's `max_unit_price`.
		PriceAboveMax,
		/// The order is not waiting for a confirmation.
		NotConfirming,
		/// Only the auction's current candidate may confirm.
		NotCandidate,
		/// The confirm window has ended.
		ConfirmWindowClosed,
		/// The order is not being deployed.
		NotDeploying,
		/// Only the lease's provider may do this.
		NotLeaseProvider,
		/// The deploy window has ended.
		DeployWindowClosed,
		/// The order is not being fulfilled.
		NotFulfilling,
		/// The verdict is not for the next unsettled round.
		WrongRound,
		/// The verdict's round has not started yet.
		RoundNotStarted,
		/// The verdict arrived after the round's verdict deadline.
		VerdictTooLate,
		/// The order has no deadline due yet.
		NothingDue,
		/// An internal record is inconsistent (please report).
		Inconsistent,
		/// Time parameters with a zero window, grace or period, or with
		/// `min_bid_window > max_bid_window`.
		InvalidTimings,
		/// The committee is larger than the number of witnesses that could serve in it now
		/// (registered and not suspended): the lease could never be monitored.
		NotEnoughWitnesses,
		/// The order's hand-off is not disputed.
		NotDisputed,
		/// The window to publish the package has ended.
		PublishWindowClosed,
		/// The package URL is not an `http://` or `https://` URL.
		InvalidPackageUrl,
		/// No asset with this id exists.
		UnknownAsset,
		/// The asset exists but is not accepted for payment.
		AssetNotAccepted,
		/// The prepay is below the payment asset's minimum.
		PrepayBelowMinimum,
		/// There are already `MaxPaymentAssets` payment assets.
		TooManyPaymentAssets,
		/// FST is always a payment asset, without a minimum of its own.
		NativeAlwaysAccepted,
		/// A unit price below the payment asset's minimum balance (a period's payment could not
		/// open the provider's account of the asset).
		PriceBelowAssetMinimum,
	}

	/// Genesis: the initial FaaS level table and, optionally, time parameters.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Levels to seed, in order: the first gets id 0.
		pub levels: Vec<LevelInfo>,
		/// Time parameters replacing `Config::DefaultTimings` (dev/local presets shorten
		/// them); `None` keeps the defaults.
		#[serde(default)]
		pub timings: Option<MarketTimingsOf<T>>,
		/// Payment assets besides FST, with their minimum prepays; each must exist.
		#[serde(default)]
		pub payment_assets: Vec<(T::AssetKind, BalanceOf<T>)>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for info in &self.levels {
				let level = match info.try_into_level::<T::MaxTagLen>() {
					Some(level) if level.is_valid() => level,
					_ => panic!("invalid genesis FaaS level (empty or too long tag, no resources)"),
				};
				if Pallet::<T>::insert_level(level).is_err() {
					panic!("genesis FaaS level table overflow");
				}
			}
			if let Some(timings) = &self.timings {
				assert!(
					timings.validate(),
					"invalid genesis market timings: every window, grace and period must be at \
					 least one block and minBidWindow <= maxBidWindow"
				);
				Timings::<T>::put(timings);
			}
			// The asset pallet's genesis may run after this one (genesis runs in pallet-index
			// order): the assets' existence is checked by `try_state`, not here.
			for (asset, min_prepay) in &self.payment_assets {
				assert!(
					*asset != T::NativeAsset::get(),
					"FST is always a payment asset: leave it out of the genesis payment assets"
				);
				assert!(
					PaymentAssets::<T>::count() < T::MaxPaymentAssets::get(),
					"more genesis payment assets than MaxPaymentAssets"
				);
				PaymentAssets::<T>::insert(asset, *min_prepay);
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_idle(now: BlockNumberFor<T>, remaining_weight: Weight) -> Weight {
			Self::sweep_deadlines(now, remaining_weight)
		}

		/// The provider heartbeat worker (docs/architecture.md §7.1, `impls/offchain.rs`).
		fn offchain_worker(now: BlockNumberFor<T>) {
			Self::offchain_heartbeat(now);
		}

		fn integrity_test() {
			Self::check_config();
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Append a FaaS level to the table. Only `LevelAdminOrigin`.
		#[pallet::call_index(0)]
		pub fn add_level(origin: OriginFor<T>, level: FaasLevelOf<T>) -> DispatchResult {
			T::LevelAdminOrigin::ensure_origin(origin)?;
			Self::do_add_level(level)
		}

		/// Register the signer as a provider, holding `stake` (≥ `MinProviderStake`).
		///
		/// `heartbeat_key` signs `heartbeat` (typically the `prov` key of the provider's node).
		#[pallet::call_index(1)]
		pub fn register_provider(
			origin: OriginFor<T>,
			stake: BalanceOf<T>,
			endpoint: BoundedVec<u8, T::MaxEndpointLen>,
			levels: BoundedVec<LevelId, T::MaxLevelsPerProvider>,
			heartbeat_key: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register_provider(who, stake, endpoint, levels, heartbeat_key)
		}

		/// Change the signer's endpoint and offered levels.
		#[pallet::call_index(2)]
		pub fn update_provider(
			origin: OriginFor<T>,
			endpoint: BoundedVec<u8, T::MaxEndpointLen>,
			levels: BoundedVec<LevelId, T::MaxLevelsPerProvider>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_update_provider(who, endpoint, levels)
		}

		/// Record a heartbeat (and free capacity per level) of the provider whose heartbeat
		/// key signed the call. The provider's node normally sends `worker_heartbeat` instead.
		#[pallet::call_index(3)]
		pub fn heartbeat(
			origin: OriginFor<T>,
			capacity: BoundedVec<(LevelId, u32), T::MaxLevelsPerProvider>,
		) -> DispatchResult {
			let key = ensure_signed(origin)?;
			Self::do_heartbeat(key, capacity)
		}

		/// Leave the market (no open bid, no lease). The stake is released if the reputation
		/// is at least `MinReputationForRefund`, otherwise it goes to the slash sink.
		#[pallet::call_index(4)]
		pub fn unregister_provider(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unregister_provider(who)
		}

		/// Create an order and open its sealed-bid auction for `bid_window` blocks.
		///
		/// Every amount is in `asset` (FST or an accepted payment asset). Holds
		/// `PrepayFactor × periods × max_unit_price` from the signer, or from `sponsor` after
		/// spending that much of the sponsor's allowance (in that asset) to the signer.
		#[pallet::call_index(5)]
		#[pallet::weight(if sponsor.is_some() {
			<T as Config>::WeightInfo::create_order_sponsored()
		} else {
			<T as Config>::WeightInfo::create_order()
		})]
		#[allow(clippy::too_many_arguments)]
		pub fn create_order(
			origin: OriginFor<T>,
			level: LevelId,
			periods: u32,
			max_unit_price: BalanceOf<T>,
			committee_size: u32,
			bid_window: BlockNumberFor<T>,
			package_hash: [u8; 32],
			min_reputation: Permill,
			sponsor: Option<T::AccountId>,
			asset: T::AssetKind,
		) -> DispatchResult {
			let customer = ensure_signed(origin)?;
			let terms = OrderTerms {
				asset,
				level,
				periods,
				max_unit_price,
				committee_size,
				bid_window,
				package_hash,
				min_reputation,
			};
			Self::do_create_order(customer, terms, sponsor).map(|_| ())
		}

		/// Cancel an order that is not yet fulfilled. Only its customer.
		#[pallet::call_index(6)]
		#[pallet::weight(<T as Config>::WeightInfo::cancel_order(T::MaxBidsPerOrder::get()))]
		pub fn cancel_order(origin: OriginFor<T>, order_id: OrderId) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let bids = Self::bid_count(order_id);
			Self::do_cancel_order(who, order_id)?;
			Ok(Some(<T as Config>::WeightInfo::cancel_order(bids)).into())
		}

		/// Commit a sealed bid `blake2_256(SCALE(order_id, price, salt, provider))`, holding
		/// `BidDeposit`.
		#[pallet::call_index(7)]
		#[pallet::weight(<T as Config>::WeightInfo::commit_bid(
			T::MaxBidsPerOrder::get().saturating_sub(1)
		))]
		pub fn commit_bid(
			origin: OriginFor<T>,
			order_id: OrderId,
			commitment: [u8; 32],
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let bids = Self::bid_count(order_id);
			Self::do_commit_bid(who, order_id, commitment)?;
			Ok(Some(<T as Config>::WeightInfo::commit_bid(bids)).into())
		}

		/// Reveal the signer's sealed bid during the reveal window.
		#[pallet::call_index(8)]
		pub fn reveal_bid(
			origin: OriginFor<T>,
			order_id: OrderId,
			price: BalanceOf<T>,
			salt: [u8; 32],
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_reveal_bid(who, order_id, price, salt)
		}

		/// Confirm the order as the auction's current candidate: creates the lease.
		#[pallet::call_index(9)]
		#[pallet::weight(<T as Config>::WeightInfo::confirm_order(T::MaxBidsPerOrder::get()))]
		pub fn confirm_order(
			origin: OriginFor<T>,
			order_id: OrderId,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let bids = Self::bid_count(order_id);
			Self::do_confirm_order(who, order_id)?;
			Ok(Some(<T as Config>::WeightInfo::confirm_order(bids)).into())
		}

		/// Declare the function deployed: billing starts and the monitor watches the lease.
		#[pallet::call_index(10)]
		pub fn fulfill(origin: OriginFor<T>, order_id: OrderId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_fulfill(who, order_id)
		}

		/// Give up a lease that is being deployed. Only the lease's provider.
		#[pallet::call_index(11)]
		pub fn abort(origin: OriginFor<T>, order_id: OrderId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_abort(who, order_id)
		}

		/// Apply every transition of `order_id` whose deadline has passed (anyone; free when
		/// something was due).
		#[pallet::call_index(12)]
		#[pallet::weight(<T as Config>::WeightInfo::advance(T::MaxBidsPerOrder::get()))]
		pub fn advance(origin: OriginFor<T>, order_id: OrderId) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let bids = Self::bid_count(order_id);
			Self::do_advance(order_id)?;
			Ok(frame_support::dispatch::PostDispatchInfo {
				actual_weight: Some(<T as Config>::WeightInfo::advance(bids)),
				pays_fee: Pays::No,
			})
		}

		/// Replace the time parameters. Only `LevelAdminOrigin`.
		///
		/// They apply to deadlines computed from now on: running windows keep their stored
		/// deadlines and existing orders keep their billing period; `heartbeat_grace` acts at
		/// once.
		#[pallet::call_index(13)]
		pub fn set_timings(origin: OriginFor<T>, timings: MarketTimingsOf<T>) -> DispatchResult {
			T::LevelAdminOrigin::ensure_origin(origin)?;
			Self::do_set_timings(timings)
		}

		/// Record a heartbeat made by a provider node's off-chain worker (docs/architecture.md §7.1): a
		/// fee-less general transaction, authorized by the heartbeat key's `signature` over
		/// `SCALE((b"defaas/heartbeat", heartbeat))`, at most one per key and
		/// `HeartbeatPeriod`, valid for `HeartbeatPeriod` blocks from `heartbeat.at`. Then the
		/// same as `heartbeat` from `heartbeat.key`.
		#[pallet::call_index(14)]
		#[pallet::authorize(Pallet::<T>::authorize_worker_heartbeat)]
		#[pallet::weight_of_authorize(<T as Config>::WeightInfo::authorize_worker_heartbeat())]
		pub fn worker_heartbeat(
			origin: OriginFor<T>,
			heartbeat: HeartbeatOf<T>,
			signature: T::WorkerSignature,
		) -> DispatchResult {
			ensure_authorized(origin)?;
			// Checked by the authorization.
			let _ = signature;
			Self::do_heartbeat(heartbeat.key, heartbeat.capacity)
		}

		/// Dispute the hand-off of a lease being deployed: no valid package reached the
		/// provider. Only the lease's provider, within the deploy window. The customer then
		/// has one deploy window to `publish_package`; a committee judges who failed
		/// (docs/architecture.md §5.3). Instead of an `abort`, which costs the customer nothing.
		#[pallet::call_index(15)]
		pub fn dispute_handoff(origin: OriginFor<T>, order_id: OrderId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_dispute_handoff(who, order_id)
		}

		/// Publish the package of a disputed hand-off at `url` (`http://` or `https://`), from
		/// where the committee fetches and checks it. Only the order's customer, before the
		/// publish deadline.
		#[pallet::call_index(16)]
		pub fn publish_package(
			origin: OriginFor<T>,
			order_id: OrderId,
			url: PackageUrl,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_publish_package(who, order_id, url)
		}

		/// Accept `asset` for payment with `min_prepay` as the least prepay of an order in it
		/// (`Some`), or stop accepting it for new orders (`None`; running orders keep it).
		/// Only `LevelAdminOrigin`.
		#[pallet::call_index(17)]
		pub fn set_payment_asset(
			origin: OriginFor<T>,
			asset: T::AssetKind,
			min_prepay: Option<BalanceOf<T>>,
		) -> DispatchResult {
			T::LevelAdminOrigin::ensure_origin(origin)?;
			Self::do_set_payment_asset(asset, min_prepay)
		}
	}
}
