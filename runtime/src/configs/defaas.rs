//! The DeFaaS pallets: the FST token rules (`pallet-faas-token`), the market (`pallet-market`)
//! and the witness pool (`pallet-witness-pool`). Production values here; the dev/local genesis presets shorten the market's
//! time parameters (`genesis_config_presets.rs`).

use frame_support::{
	parameter_types,
	traits::{ConstI32, ConstU32, ConstU64},
	weights::{constants::WEIGHT_REF_TIME_PER_SECOND, Weight},
};
use frame_system::EnsureRoot;
use pallet_market::MarketTimings;
use pallet_witness_pool::WitnessTimings;
use sp_runtime::{Perbill, Permill};

use crate::{
	AccountId, Balance, Balances, BlockNumber, FaasToken, Market, Runtime, RuntimeCall,
	RuntimeHoldReason, Signature, TxExtension, UncheckedExtrinsic, WitnessPool, DAYS,
	EPOCH_DURATION_IN_SLOTS, FST, HOURS, MINUTES, TOKEN_DECIMALS,
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

parameter_types! {
	/// The market's genesis asset: FST is always a payment asset.
	pub const NativeAsset: super::assets::AssetKind = super::assets::AssetKind::Native;
}

impl pallet_market::Config for Runtime {
	/// Provider stakes and bid deposits are holds on FST balances.
	type Currency = Balances;
	/// Orders pay in FST or an asset of `pallet-assets`.
	type AssetKind = super::assets::AssetKind;
	/// FST.
	type NativeAsset = NativeAsset;
	/// Prepays are holds on FST or on the asset (through `pallet-assets-holder`).
	type PaymentFunds = super::assets::NativeAndAssetsWithHolds;
	/// Up to 16 payment assets besides FST.
	type MaxPaymentAssets = ConstU32<16>;
	/// Creates and mints the benchmarks' payment asset.
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = super::assets::benchmarks::MarketAssets;
	/// The runtime's hold reasons (`Market(OrderPrepay | BidDeposit | ProviderStake)`).
	type RuntimeHoldReason = RuntimeHoldReason;
	/// Root (sudo) appends FaaS levels and sets the market's time parameters.
	type LevelAdminOrigin = EnsureRoot<AccountId>;
	/// The witness pool monitors every fulfilled lease: one VRF committee per billing period.
	type SlaMonitor = WitnessPool;
	/// Forfeited deposits and slashed stake go to the token pallet's slash sink (burn).
	type SlashSink = FaasToken;
	/// Sponsors fund other customers' orders through FST allowances or the asset's approvals.
	type Allowances = super::assets::SponsorAllowances;
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
	/// The customer prepays twice the maximum fee (docs/architecture.md §5.3).
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
	/// A provider node's worker sends a heartbeat every 5 blocks (15 s), well within the
	/// heartbeat grace of every preset (dev 20 blocks, production 10 minutes).
	type HeartbeatPeriod = ConstU32<5>;
	/// The worker's `/healthz` check must answer within 2 s.
	type HeartbeatProbeTimeoutMs = ConstU64<2_000>;
	/// Heartbeat keys are accounts of sr25519 `prov` keys.
	type WorkerPublic = sp_runtime::MultiSigner;
	/// ... and sign with them.
	type WorkerSignature = Signature;
	/// Weights (see the pallet's weights.rs).
	type WeightInfo = pallet_market::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// A witness stakes at least 100 FST.
	pub const MinWitnessStake: Balance = 100 * FST;
	/// Two BABE epochs: a witness cannot pick its registration after seeing the randomness
	/// that seeds the rounds it may sit in.
	pub const ActivationDelay: BlockNumber = EPOCH_DURATION_IN_SLOTS.saturating_mul(2) as BlockNumber;
	/// Payoff unit of the seed paper's table (+10 / 0 / −1 / +1 units): 4 FST, so that buying
	/// the `N − M + 1` reports that flip a committee of 3 (9 units each, what a member gives up)
	/// costs more than a provider's violated period (its price plus `ViolationSlash`) at prices
	/// up to 22 FST, and so that monitoring beats reporting "clean" blind whenever providers fail
	/// more than one period in 400 (docs/economics.md).
	pub const WitnessRewardUnit: Balance = 4 * FST;
	/// What the round steps of one block may use together: a tenth of the block's weight.
	pub MaxAgendaWeight: Weight = Weight::from_parts(
		WEIGHT_REF_TIME_PER_SECOND / 10,
		u64::MAX / 10,
	);
	/// Production windows of a round (3 s blocks): joins in the first 5 minutes of a billing
	/// period, commits until 5 minutes after it, reveals in the 5 minutes after that — within
	/// the market's 15-minute verdict grace.
	pub const DefaultWitnessTimings: WitnessTimings<BlockNumber> = WitnessTimings {
		join_window: 5 * MINUTES,
		commit_window: 5 * MINUTES,
		reveal_window: 5 * MINUTES,
	};
}

impl pallet_witness_pool::Config for Runtime {
	/// Stakes are holds on FST balances.
	type Currency = Balances;
	/// The runtime's hold reasons (`WitnessPool(WitnessStake)`).
	type RuntimeHoldReason = RuntimeHoldReason;
	/// Round seeds come from BABE's VRF randomness of one epoch ago.
	type Randomness = pallet_babe::RandomnessFromOneEpochAgo<Runtime>;
	/// Verdicts settle the market's billing periods.
	type VerdictHandler = Market;
	/// Witness rewards are minted by the token pallet under its issuance budget.
	type RewardMinter = FaasToken;
	/// Witness slashes go to the token pallet's slash sink (burn).
	type SlashSink = FaasToken;
	/// Root (sudo) sets the round windows.
	type TimingsAdminOrigin = EnsureRoot<AccountId>;
	/// Minimum witness stake.
	type MinWitnessStake = MinWitnessStake;
	/// Two epochs between registration and the first draw.
	type ActivationDelay = ActivationDelay;
	/// Registered witnesses (bounds the index seeded sampling draws from).
	type MaxWitnesses = ConstU32<10_000>;
	/// The market's largest committee.
	type MaxCommittee = ConstU32<21>;
	/// About twice the committee size pass the VRF threshold, so absent witnesses rarely
	/// leave seats to seeded sampling.
	type JoinFactor = ConstU32<2>;
	/// Seeded sampling tries four witnesses per empty seat.
	type FillAttemptsPerSeat = ConstU32<4>;
	/// Round steps (open, select, settle) processed per block at most; `MaxAgendaWeight`
	/// bounds them by what they cost.
	type MaxStepsPerBlock = ConstU32<512>;
	/// A full block pushes steps at most 16 blocks later.
	type MaxAgendaSpill = ConstU32<16>;
	/// A tenth of the block for round steps, each counted with its committee size.
	type MaxAgendaWeight = MaxAgendaWeight;
	/// Payoff unit.
	type WitnessRewardUnit = WitnessRewardUnit;
	/// Half the starting reputation is needed to get the stake back.
	type MinReputationForRefund = ConstI32<50>;
	/// Production windows; presets override them.
	type DefaultTimings = DefaultWitnessTimings;
	/// Probes go to the endpoint the provider registered in the market; the challenge size
	/// comes from the market's level table.
	type Directory = Market;
	/// Three probes per round at VRF-derived blocks; the report is the majority.
	type ProbesPerRound = ConstU32<3>;
	/// A health probe must answer within 2 s.
	type ProbeTimeoutMs = ConstU64<2_000>;
	/// A capacity challenge (matrix product) must answer within 5 s.
	type ChallengeTimeoutMs = ConstU64<5_000>;
	/// A disputed package is downloaded and hashed within 20 s (rare: only in disputes).
	type PackageCheckTimeoutMs = ConstU64<20_000>;
	/// Freivalds rounds: a wrong product passes with probability at most 2^-10.
	type FreivaldsRounds = ConstU32<10>;
	/// A worker run spends at most a third of a slot on probes and joins (commits and
	/// reveals always go out): with the node's two off-chain worker threads, runs never
	/// queue up behind each other.
	type WorkerBudgetMs = ConstU64<{ crate::MILLI_SECS_PER_BLOCK / 3 }>;
	/// Weights (see the pallet's weights.rs).
	type WeightInfo = pallet_witness_pool::weights::SubstrateWeight<Runtime>;
}

// Off-chain workers submit their reports (heartbeats, committee joins, report commits and
// reveals) as general transactions authorized by the pallets' `#[pallet::authorize]` checks:
// no signer, no nonce, no fee — the call carries its own proof (a `prov`/`wtns` key signature
// or a VRF proof), and the pool keeps at most one per key and phase.

impl<LocalCall> frame_system::offchain::CreateTransactionBase<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	type Extrinsic = UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<LocalCall> frame_system::offchain::CreateTransaction<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	type Extension = TxExtension;

	fn create_transaction(call: RuntimeCall, extension: TxExtension) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_transaction(call, extension)
	}
}

impl<LocalCall> frame_system::offchain::CreateAuthorizedTransaction<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	/// The runtime's extension pipeline for a transaction without signer: `AuthorizeCall`
	/// validates the call's own proof; nonce and fee checks skip unsigned origins; immortal.
	fn create_extension() -> TxExtension {
		crate::tx_extension(sp_runtime::generic::Era::Immortal, 0, 0)
	}
}
