//! The DeFaaS pallets: the FST token rules (`pallet-faas-token`) and the market
//! (`pallet-market`). Production values here; the dev/local genesis presets shorten the market's
//! time parameters (`genesis_config_presets.rs`).

use frame_support::{parameter_types, traits::ConstU32};
use frame_system::EnsureRoot;
use pallet_market::MarketTimings;
use sp_runtime::{Perbill, Permill};

use crate::{
	AccountId, Balance, Balances, BlockNumber, FaasToken, Runtime, RuntimeHoldReason, DAYS, FST,
	HOURS, MINUTES, TOKEN_DECIMALS,
};

parameter_types! {
	/// Issuance eras last a day: the witness reward budget is renewed daily.
	pub const EraLength: BlockNumber = DAYS;
	/// Blocks in a (365-day) year.
	pub const BlocksPerYear: BlockNumber = 365 * DAYS;
	/// Decimals of FST.
	pub const FstDecimals: u8 = TOKEN_DECIMALS;
}

impl pallet_faas_token::Config for Runtime {
	/// FST lives in `pallet-balances`.
	type Currency = Balances;
	/// Root (sudo) sets the inflation cap and the slash destination.
	type AdminOrigin = EnsureRoot<AccountId>;
	/// One era per day.
	type EraLength = EraLength;
	/// Converts the yearly inflation cap into a per-era budget.
	type BlocksPerYear = BlocksPerYear;
	/// Keep a month of per-era minted/burned totals.
	type ErasToKeep = ConstU32<30>;
	/// 12 decimals.
	type Decimals = FstDecimals;
	/// Weights (see the pallet's weights.rs).
	type WeightInfo = pallet_faas_token::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// A provider stakes at least 1,000 FST.
	pub const MinProviderStake: Balance = 1_000 * FST;
	/// Reputation counts decay by 1 % per update, so old behaviour fades.
	pub const ReputationDecay: Perbill = Perbill::from_percent(1);
	/// Stake is returned on unregistration only at ≥ 30 % reputation.
	pub const MinReputationForRefund: Permill = Permill::from_percent(30);
	/// Deposit per sealed bid; forfeited when the bid is not revealed.
	pub const BidDeposit: Balance = 10 * FST;
	/// Paid from the provider's stake to the customer for every violated period.
	pub const ViolationSlash: Balance = 50 * FST;
	/// Production time parameters (3 s blocks): one-hour billing periods.
	pub const DefaultTimings: MarketTimings<BlockNumber> = MarketTimings {
		min_bid_window: MINUTES,
		max_bid_window: HOURS,
		reveal_window: 2 * MINUTES,
		confirm_window: 5 * MINUTES,
		deploy_window: 10 * MINUTES,
		billing_period: HOURS,
		verdict_grace: 15 * MINUTES,
		heartbeat_grace: 10 * MINUTES,
		retention_period: DAYS,
	};
}

impl pallet_market::Config for Runtime {
	/// Escrow, deposits and stakes are holds on FST balances.
	type Currency = Balances;
	/// The runtime's hold reasons (`Market(OrderPrepay | BidDeposit | ProviderStake)`).
	type RuntimeHoldReason = RuntimeHoldReason;
	/// Root (sudo) appends FaaS levels and sets the market's time parameters.
	type LevelAdminOrigin = EnsureRoot<AccountId>;
	/// The witness pool monitors leases; it is wired in with its pallet. Until then nothing
	/// delivers verdicts and leases end with `MonitorTimedOut` (no payment without a verdict).
	type SlaMonitor = ();
	/// Forfeited deposits and slashed stake go to the token pallet's slash sink (burn).
	type SlashSink = FaasToken;
	/// Sponsors fund other customers' orders through FST allowances.
	type AllowanceSpender = FaasToken;
	/// Level tags like "normal", "graphics", "ai".
	type MaxTagLen = ConstU32<32>;
	/// Provider endpoint URLs.
	type MaxEndpointLen = ConstU32<256>;
	/// Levels one provider may offer.
	type MaxLevelsPerProvider = ConstU32<16>;
	/// Minimum provider stake.
	type MinProviderStake = MinProviderStake;
	/// Reputation decay per update.
	type ReputationDecay = ReputationDecay;
	/// Reputation needed to get the stake back.
	type MinReputationForRefund = MinReputationForRefund;
	/// The customer prepays twice the maximum fee (DESIGN §5.3).
	type PrepayFactor = ConstU32<2>;
	/// A month of hourly periods.
	type MaxPeriods = ConstU32<720>;
	/// At least one witness per round (three in production networks with enough witnesses).
	type MinCommittee = ConstU32<1>;
	/// At most 21 witnesses per round.
	type MaxCommittee = ConstU32<21>;
	/// Production time parameters; presets override them.
	type DefaultTimings = DefaultTimings;
	/// Deposit per sealed bid.
	type BidDeposit = BidDeposit;
	/// Sealed bids per order.
	type MaxBidsPerOrder = ConstU32<32>;
	/// Revealed runners-up kept in case the winner does not confirm.
	type MaxFallbackCandidates = ConstU32<3>;
	/// Slash per violated period.
	type ViolationSlash = ViolationSlash;
	/// Three consecutive violated periods end a lease early.
	type ViolationsToTerminate = ConstU32<3>;
	/// Clearing prices kept per level for quotes.
	type MaxRecentPrices = ConstU32<32>;
	/// Deadlines indexed per block.
	type MaxDeadlinesPerBlock = ConstU32<64>;
	/// Weights (see the pallet's weights.rs).
	type WeightInfo = pallet_market::weights::SubstrateWeight<Runtime>;
}
