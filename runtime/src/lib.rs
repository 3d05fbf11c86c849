//! # DeFaaS runtime
//!
//! The rule book of the DeFaaS Function-as-a-Service market: BABE block production (3 s slots),
//! GRANDPA finality, the native token FST (12 decimals) in `pallet-balances`, transaction fees,
//! and sudo. The market and witness pallets are wired in by their own modules in `configs/`.
//!
//! Layout (the solochain template's shape): types and constants here, one `impl Config` per
//! pallet in [`configs`], runtime APIs in `apis.rs`, genesis presets in
//! [`genesis_config_presets`].

#![cfg_attr(not(feature = "std"), no_std)]
// Tests may compute freely (clippy.toml lets them unwrap, expect, panic and index).
#![cfg_attr(test, allow(clippy::arithmetic_side_effects, clippy::unreachable))]
// `construct_runtime`/`impl_runtime_apis` expand to large types.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod genesis_config_presets;
pub mod migrations;
pub mod weights;

// `impl_opaque_keys!` and `#[frame_support::runtime]` expand to code naming `Vec`.
use alloc::vec::Vec;
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::{runtime_version, RuntimeVersion};

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// The public key of a `prov` key (its account is the provider's `heartbeat_key`).
pub use pallet_market::heartbeat_crypto::Public as ProviderHeartbeatId;
/// Key type of provider heartbeat keys (`prov`, sr25519): the provider's node signs its
/// heartbeats with it. Insert it with `defaas-node key insert --key-type prov --scheme sr25519`.
pub use pallet_market::heartbeat_crypto::KEY_TYPE as PROVIDER_KEY_TYPE;
/// The public key of a `wtns` witness key (registered with `register_witness`).
pub use pallet_witness_pool::vrf::app::Public as WitnessVrfId;
/// Key type of witness keys (`wtns`, sr25519): a witness's node signs its VRF over round seeds
/// and, with the off-chain worker, its reports with this key. Insert it with
/// `defaas-node key insert --key-type wtns --scheme sr25519`.
pub use pallet_witness_pool::vrf::KEY_TYPE as WITNESS_KEY_TYPE;

/// Opaque types: what the node needs to know about blocks without knowing the runtime's calls.
pub mod opaque {
	use super::*;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as sp_runtime::traits::Hash>::Output;

	impl_opaque_keys! {
		/// The consensus keys of a validator.
		pub struct SessionKeys {
			/// BABE block production (sr25519, key type `babe`).
			pub babe: Babe,
			/// GRANDPA finality (ed25519, key type `gran`).
			pub grandpa: Grandpa,
		}
	}
}

/// The version of this runtime. Bump `spec_version` on every behaviour change.
#[cfg(not(feature = "test-upgrade"))]
#[runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("defaas"),
	impl_name: alloc::borrow::Cow::Borrowed("defaas-node"),
	authoring_version: 1,
	spec_version: 103,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 2,
	system_version: 1,
};

/// The version of the upgrade drill's release (feature `test-upgrade`): `spec_version` + 1.
#[cfg(feature = "test-upgrade")]
#[runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("defaas"),
	impl_name: alloc::borrow::Cow::Borrowed("defaas-node"),
	authoring_version: 1,
	spec_version: 104,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 2,
	system_version: 1,
};

/// The upgrade drill's release of this runtime, built by build.rs with the `test-upgrade`
/// feature: `spec_version` + 1 and the migrations of [`migrations::drill`]. The network tests
/// install it on a running chain with `authorize_upgrade` + `apply_authorized_upgrade`.
#[cfg(feature = "std")]
pub mod test_upgrade {
	include!(concat!(env!("OUT_DIR"), "/wasm_binary_test_upgrade.rs"));
}

// ---- Time ---------------------------------------------------------------------------------------

/// Target block time: one BABE slot.
pub const MILLI_SECS_PER_BLOCK: u64 = 3000;
/// BABE slot duration. It cannot change once the chain has started.
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;
/// Blocks per minute.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// Blocks per hour (the production billing period).
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;

/// Length of a BABE epoch, in slots. Committee seeds use the randomness of one epoch ago and
/// witnesses activate after two epochs, so epochs are short: one minute.
pub const EPOCH_DURATION_IN_SLOTS: u64 = MINUTES as u64;

/// BABE's probability of a primary slot, `c = 1/4`; secondary VRF slots fill the rest, so every
/// slot has a block and every block carries VRF output for on-chain randomness.
pub const PRIMARY_PROBABILITY: (u64, u64) = (1, 4);

/// The BABE epoch configuration at genesis.
pub const BABE_GENESIS_EPOCH_CONFIG: sp_consensus_babe::BabeEpochConfiguration =
	sp_consensus_babe::BabeEpochConfiguration {
		c: PRIMARY_PROBABILITY,
		allowed_slots: sp_consensus_babe::AllowedSlots::PrimaryAndSecondaryVRFSlots,
	};

// ---- Money --------------------------------------------------------------------------------------

/// Symbol of the native token (chain spec property `tokenSymbol`).
pub const TOKEN_SYMBOL: &str = "FST";
/// Decimals of the native token (chain spec property `tokenDecimals`).
pub const TOKEN_DECIMALS: u8 = 12;
/// SS58 address prefix (42: the generic Substrate prefix).
pub const SS58_PREFIX: u16 = 42;

/// One FST in plancks.
pub const FST: Balance = 1_000_000_000_000;
/// One thousandth of an FST.
pub const MILLI_FST: Balance = FST / 1_000;
/// One millionth of an FST.
pub const MICRO_FST: Balance = MILLI_FST / 1_000;
/// Minimum balance an account must keep to exist.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_FST;

// ---- Types --------------------------------------------------------------------------------------

/// Block number.
pub type BlockNumber = u32;
/// Transaction signature (sr25519, ed25519 or ecdsa).
pub type Signature = MultiSignature;
/// Account identifier: the public key of the signature scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Balance of an account, in plancks (10⁻¹² FST).
pub type Balance = u128;
/// Transaction index of an account.
pub type Nonce = u32;
/// Block and state hash.
pub type Hash = sp_core::H256;
/// Address format of extrinsics.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// Block with justifications.
pub type SignedBlock = generic::SignedBlock<Block>;
/// Block identifier.
pub type BlockId = generic::BlockId<Block>;

/// The checks every extrinsic goes through. `AuthorizeCall` comes first so that calls with
/// `#[pallet::authorize]` (off-chain worker reports) are valid without a signed origin.
pub type TxExtension = (
	frame_system::AuthorizeCall<Runtime>,
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_asset_conversion_tx_payment::ChargeAssetTxPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// The transaction extensions of a transaction with `era`, `nonce` and `tip` paying its fee in
/// FST (metadata hash check off), in [`TxExtension`]'s order.
pub fn tx_extension(era: generic::Era, nonce: Nonce, tip: Balance) -> TxExtension {
	tx_extension_paying_in(era, nonce, tip, None)
}

/// [`tx_extension`] paying the fee (and tip) in `fee_asset` (`None`: FST), swapped to FST
/// through the asset's pool.
pub fn tx_extension_paying_in(
	era: generic::Era,
	nonce: Nonce,
	tip: Balance,
	fee_asset: Option<configs::AssetKind>,
) -> TxExtension {
	(
		frame_system::AuthorizeCall::<Runtime>::new(),
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(era),
		frame_system::CheckNonce::<Runtime>::from(nonce),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_asset_conversion_tx_payment::ChargeAssetTxPayment::<Runtime>::from(tip, fee_asset),
		frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
		frame_system::WeightReclaim::<Runtime>::new(),
	)
}

/// Unchecked extrinsic.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Dispatches blocks and extrinsics to the pallets. Runtime-upgrade migrations are
/// `frame_system`'s `SingleBlockMigrations` and `pallet-migrations`' stepped ones (see
/// [`migrations`]), not an `Executive` parameter.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
>;

/// The pallets of the runtime, with fixed indices (they are part of the transaction format).
#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	/// Accounts, blocks, events.
	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	/// Block timestamps (set by an inherent).
	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	/// BABE block production and on-chain randomness.
	#[runtime::pallet_index(2)]
	pub type Babe = pallet_babe;

	/// GRANDPA finality.
	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	/// The FST token's balances, holds and freezes.
	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	/// Transaction fees in FST.
	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	/// Superuser (development and test networks).
	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;

	/// FST economics: allowances, capped witness reward minting, the slash sink.
	#[runtime::pallet_index(7)]
	pub type FaasToken = pallet_faas_token;

	/// The FaaS market: levels, providers, sealed-bid auctions, leases, escrow, settlement.
	#[runtime::pallet_index(8)]
	pub type Market = pallet_market;

	/// Staked witnesses, private VRF committees per billing period, commit-reveal reports,
	/// verdicts and payoffs.
	#[runtime::pallet_index(9)]
	pub type WitnessPool = pallet_witness_pool;

	/// Multi-block (stepped) storage migrations after a runtime upgrade; transactions wait
	/// while one runs.
	#[runtime::pallet_index(10)]
	pub type MultiBlockMigrations = pallet_migrations;

	/// Assets (payment assets such as a stable coin); genesis runs after the market's.
	#[runtime::pallet_index(11)]
	pub type Assets = pallet_assets;

	/// Holds on assets (order prepays in an asset).
	#[runtime::pallet_index(12)]
	pub type AssetsHolder = pallet_assets_holder;

	/// Freezes on assets.
	#[runtime::pallet_index(13)]
	pub type AssetsFreezer = pallet_assets_freezer;

	/// LP tokens of the FST/asset pools.
	#[runtime::pallet_index(14)]
	pub type PoolAssets = pallet_assets<Instance2>;

	/// FST/asset liquidity pools (fees in an asset are swapped to FST here).
	#[runtime::pallet_index(15)]
	pub type AssetConversion = pallet_asset_conversion;

	/// Fees payable in an asset (`ChargeAssetTxPayment`).
	#[runtime::pallet_index(16)]
	pub type AssetConversionTxPayment = pallet_asset_conversion_tx_payment;
}
