//! One `impl Config` block per pallet. Every associated type says why it has its value.

mod assets;
mod defaas;

pub use assets::{AssetId, AssetKind, NativeAndAssets, NativeAndAssetsWithHolds};

use crate::weights::{
	block_weights::BlockExecutionWeight, extrinsic_weights::ExtrinsicBaseWeight,
	paritydb_weights::constants::ParityDbWeight,
};
use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstU128, ConstU32, ConstU64, ConstU8, VariantCountOf},
	weights::{constants::WEIGHT_REF_TIME_PER_SECOND, ConstantMultiplier, IdentityFee, Weight},
};
use frame_system::limits::{BlockLength, BlockWeights};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_runtime::{traits::One, Perbill};
use sp_version::RuntimeVersion;

use super::{
	AccountId, Babe, Balance, Balances, Block, BlockNumber, Hash, MultiBlockMigrations, Nonce,
	PalletInfo, Runtime, RuntimeCall, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason,
	RuntimeOrigin, RuntimeTask, System, EPOCH_DURATION_IN_SLOTS, EXISTENTIAL_DEPOSIT, MICRO_FST,
	MILLI_SECS_PER_BLOCK, SLOT_DURATION, SS58_PREFIX, VERSION,
};

/// Share of a block's weight and length available to normal (non-operational) extrinsics.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

/// Maximum length of a block in bytes.
const MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;

/// Most compute a block may use: one second of the 3 s slot.
const MAX_BLOCK_WEIGHT: Weight = Weight::from_parts(WEIGHT_REF_TIME_PER_SECOND, u64::MAX);

/// [`RuntimeBlockWeights`]: `BlockWeights::with_sensible_defaults` with the measured base
/// weights of a block and of an extrinsic instead of Substrate's reference machine's.
fn measured_block_weights() -> BlockWeights {
	let normal = Weight::from_parts(
		NORMAL_DISPATCH_RATIO.mul_floor(MAX_BLOCK_WEIGHT.ref_time()),
		NORMAL_DISPATCH_RATIO.mul_floor(MAX_BLOCK_WEIGHT.proof_size()),
	);
	BlockWeights::builder()
		.base_block(BlockExecutionWeight::get())
		.for_class(DispatchClass::all(), |weights| {
			weights.base_extrinsic = ExtrinsicBaseWeight::get();
		})
		.for_class(DispatchClass::Normal, |weights| weights.max_total = Some(normal))
		.for_class(DispatchClass::Operational, |weights| {
			weights.max_total = Some(MAX_BLOCK_WEIGHT);
			weights.reserved = Some(MAX_BLOCK_WEIGHT.saturating_sub(normal));
		})
		.avg_block_initialization(Perbill::from_percent(10))
		.build_or_panic()
}

/// `share` of a block's maximum weight (both components).
fn share_of_block(share: Perbill) -> Weight {
	let max = RuntimeBlockWeights::get().max_block;
	Weight::from_parts(share.mul_floor(max.ref_time()), share.mul_floor(max.proof_size()))
}

/// Maximum number of BABE/GRANDPA authorities.
pub const MAX_AUTHORITIES: u32 = 32;

parameter_types! {
	/// How many recent block hashes the runtime keeps (for mortal transactions).
	pub const BlockHashCount: BlockNumber = 2400;
	/// The runtime version, exposed to `frame_system`.
	pub const Version: RuntimeVersion = VERSION;
	/// One second of compute per 3 s block (leaves time for import and networking), with the
	/// base weights of a block and of an extrinsic measured on this machine.
	pub RuntimeBlockWeights: BlockWeights = measured_block_weights();
	/// At most 5 MiB of extrinsics per block, 75 % of it for normal extrinsics.
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(MAX_BLOCK_LENGTH)
		.modify_max_length_for_class(DispatchClass::Normal, |max| {
			*max = NORMAL_DISPATCH_RATIO.mul_floor(MAX_BLOCK_LENGTH)
		})
		.build();
	/// The SS58 prefix of addresses.
	pub const SS58Prefix: u16 = SS58_PREFIX;
}

/// Defaults from the solochain prelude; only what differs is set here.
#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	/// The block type.
	type Block = Block;
	/// Block weight limits.
	type BlockWeights = RuntimeBlockWeights;
	/// Block length limits.
	type BlockLength = RuntimeBlockLength;
	/// Accounts are sr25519/ed25519/ecdsa public keys (`MultiSigner`).
	type AccountId = AccountId;
	/// Transaction index type.
	type Nonce = Nonce;
	/// Block and state hash type.
	type Hash = Hash;
	/// Recent block hashes kept for mortal transactions.
	type BlockHashCount = BlockHashCount;
	/// The node uses ParityDB; one read and one write as measured on this machine.
	type DbWeight = ParityDbWeight;
	/// Runtime version.
	type Version = Version;
	/// Account data is the FST balance.
	type AccountData = pallet_balances::AccountData<Balance>;
	/// Address prefix.
	type SS58Prefix = SS58Prefix;
	/// Enough consumers for holds from the market and witness pallets.
	type MaxConsumers = ConstU32<16>;
	/// The transaction extensions' weights, measured on this machine.
	type ExtensionsWeightInfo = crate::weights::frame_system_extensions::WeightInfo<Runtime>;
	/// Migrations that finish within the upgrade's block ([`crate::migrations`]).
	type SingleBlockMigrations = crate::migrations::SingleBlockMigrations;
	/// Migrations that may need several blocks run stepped by `pallet-migrations`.
	type MultiBlockMigrator = MultiBlockMigrations;
}

parameter_types! {
	/// A stepped migration may use 80 % of a block; inherents and hooks keep the rest.
	pub MbmServiceWeight: Weight = share_of_block(Perbill::from_percent(80));
}

impl pallet_migrations::Config for Runtime {
	/// The runtime's event type.
	type RuntimeEvent = RuntimeEvent;
	/// The stepped migrations of this runtime version ([`crate::migrations`]).
	#[cfg(not(feature = "runtime-benchmarks"))]
	type Migrations = crate::migrations::MultiBlockMigrations;
	/// Benchmarks measure the pallet with its mocked migrations.
	#[cfg(feature = "runtime-benchmarks")]
	type Migrations = pallet_migrations::mock_helpers::MockedMigrations;
	/// A migration's cursor (its position in the data) fits in 64 KiB.
	type CursorMaxLen = ConstU32<65_536>;
	/// A migration's identifier fits in 256 bytes.
	type IdentifierMaxLen = ConstU32<256>;
	/// Nothing else pauses while migrations run (transactions already wait).
	type MigrationStatusHandler = ();
	/// A failed migration freezes the chain's transactions until governance (sudo) acts:
	/// nothing runs on half-migrated state.
	type FailedMigrationHandler = frame_support::migrations::FreezeChainOnFailedMigration;
	/// See [`MbmServiceWeight`].
	type MaxServiceWeight = MbmServiceWeight;
	/// Measured on this machine (docs/benchmarks.md).
	type WeightInfo = crate::weights::pallet_migrations::WeightInfo<Runtime>;
}

parameter_types! {
	/// Slots per BABE epoch.
	pub const EpochDuration: u64 = EPOCH_DURATION_IN_SLOTS;
	/// Expected time between blocks.
	pub const ExpectedBlockTime: u64 = MILLI_SECS_PER_BLOCK;
}

impl pallet_babe::Config for Runtime {
	/// Length of an epoch in slots.
	type EpochDuration = EpochDuration;
	/// Expected block time, used to estimate epoch boundaries.
	type ExpectedBlockTime = ExpectedBlockTime;
	/// The validator set is fixed at genesis (no staking or session rotation on this chain).
	type EpochChangeTrigger = pallet_babe::SameAuthoritiesForever;
	/// No validator is ever disabled.
	type DisabledValidators = ();
	/// Upstream weights.
	type WeightInfo = ();
	/// Maximum number of authorities.
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	/// No nominators on this chain.
	type MaxNominators = ConstU32<0>;
	/// Equivocation reports need a session pallet for ownership proofs; not used here.
	type KeyOwnerProof = sp_core::Void;
	/// Equivocations are not reported on chain.
	type EquivocationReportSystem = ();
}

impl pallet_grandpa::Config for Runtime {
	/// The runtime event type.
	type RuntimeEvent = RuntimeEvent;
	/// Upstream weights.
	type WeightInfo = ();
	/// Maximum number of authorities.
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	/// No nominators on this chain.
	type MaxNominators = ConstU32<0>;
	/// No session pallet: no set-id/session mapping kept.
	type MaxSetIdSessionEntries = ConstU64<0>;
	/// Equivocation reports need a session pallet for ownership proofs; not used here.
	type KeyOwnerProof = sp_core::Void;
	/// Equivocations are not reported on chain.
	type EquivocationReportSystem = ();
}

impl pallet_timestamp::Config for Runtime {
	/// Milliseconds since the Unix epoch.
	type Moment = u64;
	/// BABE checks the timestamp against its slot.
	type OnTimestampSet = Babe;
	/// Half a slot, as BABE requires.
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	/// Upstream weights.
	type WeightInfo = ();
}

impl pallet_balances::Config for Runtime {
	/// No locks are used (holds and freezes replace them), but keep room for tooling.
	type MaxLocks = ConstU32<50>;
	/// Reserves are not used (holds replace them).
	type MaxReserves = ();
	/// Unused reserve identifier.
	type ReserveIdentifier = [u8; 8];
	/// Balances in plancks (10⁻¹² FST).
	type Balance = Balance;
	/// The runtime event type.
	type RuntimeEvent = RuntimeEvent;
	/// Dust is burned.
	type DustRemoval = ();
	/// Minimum balance of an account.
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	/// Balances live in `frame_system`'s account data.
	type AccountStore = System;
	/// Measured on this project's machine (`runtime/src/weights/pallet_balances.rs`).
	type WeightInfo = crate::weights::pallet_balances::WeightInfo<Runtime>;
	/// Freezes are identified by the runtime's freeze reasons.
	type FreezeIdentifier = RuntimeFreezeReason;
	/// One freeze per reason.
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	/// Escrow and stakes are holds, one reason per purpose.
	type RuntimeHoldReason = RuntimeHoldReason;
	/// Freeze reasons.
	type RuntimeFreezeReason = RuntimeFreezeReason;
	/// Nothing to do after a slash of held funds.
	type DoneSlashHandler = ();
}

parameter_types! {
	/// Fee multiplier: constant (no congestion pricing on this chain yet).
	pub FeeMultiplier: Multiplier = Multiplier::one();
	/// Fee per byte of an extrinsic: one micro-FST.
	pub const TransactionByteFee: Balance = MICRO_FST;
}

impl pallet_transaction_payment::Config for Runtime {
	/// The runtime event type.
	type RuntimeEvent = RuntimeEvent;
	/// Fees are withdrawn in FST; they are burned (no treasury on this chain).
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	/// Operational extrinsics pay 5× for their priority.
	type OperationalFeeMultiplier = ConstU8<5>;
	/// One planck per unit of ref-time weight.
	type WeightToFee = IdentityFee<Balance>;
	/// `TransactionByteFee` per byte.
	type LengthToFee = ConstantMultiplier<Balance, TransactionByteFee>;
	/// Constant multiplier.
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	/// Fee payment's weight, measured on this machine.
	type WeightInfo = crate::weights::pallet_transaction_payment::WeightInfo<Runtime>;
}

impl pallet_sudo::Config for Runtime {
	/// The runtime event type.
	type RuntimeEvent = RuntimeEvent;
	/// Any runtime call may be dispatched by the sudo key.
	type RuntimeCall = RuntimeCall;
	/// Upstream weights.
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}
