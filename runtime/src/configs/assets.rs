//! Payment assets (docs/architecture.md §12): `pallet-assets` with asset holds
//! (`pallet-assets-holder`) and freezes (`pallet-assets-freezer`), FST/asset liquidity pools
//! (`pallet-asset-conversion`, LP tokens in a second `pallet-assets` instance) and fees payable
//! in an asset (`pallet-asset-conversion-tx-payment`, swapping the fee to FST through the pool).
//!
//! FST stays the token of security (stakes, witness rewards, slashes); orders may pay in FST or
//! in an asset the market accepts (`Market::set_payment_asset`).

// `ord_parameter_types!` expands to `vec!` (no_std: from `alloc`).
use alloc::vec;
use frame_support::{
	instances::Instance2,
	ord_parameter_types, parameter_types,
	traits::{
		fungible::{NativeFromLeft, NativeOrWithId, UnionOf},
		fungibles, AsEnsureOriginWithArg, ConstU128, ConstU32,
	},
	PalletId,
};
use frame_system::{EnsureRoot, EnsureSigned, EnsureSignedBy};
use pallet_asset_conversion::{AccountIdConverter, WithFirstAsset};
use sp_runtime::{traits::AccountIdConversion, DispatchResult, Permill};

use crate::{
	AccountId, AssetConversion, Assets, AssetsFreezer, AssetsHolder, Balance, Balances, FaasToken,
	PoolAssets, Runtime, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason, FST, MILLI_FST,
};

/// The id of an asset of `pallet-assets`.
pub type AssetId = u32;

/// What an amount is in: FST (`Native`) or an asset.
pub type AssetKind = NativeOrWithId<AssetId>;

/// FST and the assets as one `fungibles`: transfers, swaps, fees.
pub type NativeAndAssets = UnionOf<Balances, Assets, NativeFromLeft, AssetKind, AccountId>;

/// FST and the assets as one `fungibles` with holds (the assets' through `pallet-assets-holder`):
/// the market's order prepays. The same balances as [`NativeAndAssets`].
pub type NativeAndAssetsWithHolds =
	UnionOf<Balances, AssetsHolder, NativeFromLeft, AssetKind, AccountId>;

parameter_types! {
	/// FST among the asset kinds.
	pub const Native: AssetKind = NativeOrWithId::Native;
	/// Creating an asset reserves 10 FST from its creator (state it occupies for good).
	pub const AssetDeposit: Balance = 10 * FST;
	/// An account of a non-sufficient asset reserves a milli-FST.
	pub const AssetAccountDeposit: Balance = MILLI_FST;
	/// Metadata reserves 1 FST plus 10 milli-FST per byte.
	pub const MetadataDepositBase: Balance = FST;
	/// See [`MetadataDepositBase`].
	pub const MetadataDepositPerByte: Balance = 10 * MILLI_FST;
	/// An approval (allowance) reserves a milli-FST until it is used up or cancelled.
	pub const ApprovalDeposit: Balance = MILLI_FST;
}

impl pallet_assets::Config for Runtime {
	/// The runtime event type.
	type RuntimeEvent = RuntimeEvent;
	/// The same balance type as FST (required to join them in one `fungibles`).
	type Balance = Balance;
	/// An asset is destroyed in batches of up to 1,000 accounts per call.
	type RemoveItemsLimit = ConstU32<1000>;
	/// Assets are numbered.
	type AssetId = AssetId;
	/// Compact-encoded in calls, as on Polkadot's Asset Hub (polkadot.js knows the form).
	type AssetIdParameter = codec::Compact<AssetId>;
	/// No reserve data (assets live on this chain only).
	type ReserveData = ();
	/// Deposits are reserved in FST.
	type Currency = Balances;
	/// Anyone may create an asset, paying `AssetDeposit`; only Root makes one a payment asset.
	type CreateOrigin = AsEnsureOriginWithArg<EnsureSigned<AccountId>>;
	/// Root forces asset parameters (e.g. sufficiency).
	type ForceOrigin = EnsureRoot<AccountId>;
	/// See [`AssetDeposit`].
	type AssetDeposit = AssetDeposit;
	/// See [`AssetAccountDeposit`].
	type AssetAccountDeposit = AssetAccountDeposit;
	/// See [`MetadataDepositBase`].
	type MetadataDepositBase = MetadataDepositBase;
	/// See [`MetadataDepositPerByte`].
	type MetadataDepositPerByte = MetadataDepositPerByte;
	/// See [`ApprovalDeposit`].
	type ApprovalDeposit = ApprovalDeposit;
	/// Names and symbols up to 50 bytes.
	type StringLimit = ConstU32<50>;
	/// Freezes on assets, with the runtime's freeze reasons.
	type Freezer = AssetsFreezer;
	/// Holds on assets, with the runtime's hold reasons (the market's prepays).
	type Holder = AssetsHolder;
	/// Nothing extra per account.
	type Extra = ();
	/// No callbacks on creation or destruction.
	type CallbackHandle = ();
	/// Any free id (the asset-conversion pallet picks its own).
	type AssetIdAllocator = ();
	/// Measured on this project's machine (docs/benchmarks.md).
	type WeightInfo = crate::weights::pallet_assets::WeightInfo<Runtime>;
	/// Upstream benchmark helper.
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}

impl pallet_assets_holder::Config for Runtime {
	/// The same hold reasons as FST's (required to join them in one `fungibles`).
	type RuntimeHoldReason = RuntimeHoldReason;
	/// The runtime event type.
	type RuntimeEvent = RuntimeEvent;
}

impl pallet_assets_freezer::Config for Runtime {
	/// The same freeze reasons as FST's.
	type RuntimeFreezeReason = RuntimeFreezeReason;
	/// The runtime event type.
	type RuntimeEvent = RuntimeEvent;
}

parameter_types! {
	/// The pools' pallet id (their accounts derive from it).
	pub const AssetConversionPalletId: PalletId = PalletId(*b"py/ascon");
	/// 0.3 % of every swap stays in the pool for its liquidity providers.
	pub const LpFee: Permill = Permill::from_parts(3_000);
	/// Root may set a pool's fee up to 10 %.
	pub const MaxSwapFee: Permill = Permill::from_percent(10);
	/// Withdrawing liquidity is free.
	pub const LiquidityWithdrawalFee: Permill = Permill::from_percent(0);
	/// Creating a pool costs 10 FST (burned), against spam pools.
	pub const PoolSetupFee: Balance = 10 * FST;
	/// Locked in every pool for good (so a pool is never emptied to zero liquidity).
	pub const MintMinLiquidity: Balance = 100;
}

ord_parameter_types! {
	/// The account that creates LP tokens.
	pub const AssetConversionOrigin: AccountId =
		AccountIdConversion::<AccountId>::into_account_truncating(&AssetConversionPalletId::get());
}

/// A pool's account: derived from the pallet id and the pool's pair.
pub type PoolIdToAccountId = AccountIdConverter<AssetConversionPalletId, (AssetKind, AssetKind)>;

impl pallet_assets::Config<Instance2> for Runtime {
	/// The runtime event type.
	type RuntimeEvent = RuntimeEvent;
	/// LP tokens count in the same unit.
	type Balance = Balance;
	/// See the main instance.
	type RemoveItemsLimit = ConstU32<1000>;
	/// LP tokens are numbered by the asset-conversion pallet.
	type AssetId = u32;
	/// Plain in calls.
	type AssetIdParameter = u32;
	/// No reserve data.
	type ReserveData = ();
	/// Deposits (none) in FST.
	type Currency = Balances;
	/// Only the asset-conversion pallet creates LP tokens.
	type CreateOrigin = AsEnsureOriginWithArg<EnsureSignedBy<AssetConversionOrigin, AccountId>>;
	/// Root forces parameters.
	type ForceOrigin = EnsureRoot<AccountId>;
	/// LP tokens cost no deposits (the pool setup fee pays for the pool).
	type AssetDeposit = ConstU128<0>;
	/// See `AssetDeposit`.
	type AssetAccountDeposit = ConstU128<0>;
	/// See `AssetDeposit`.
	type MetadataDepositBase = ConstU128<0>;
	/// See `AssetDeposit`.
	type MetadataDepositPerByte = ConstU128<0>;
	/// See `AssetDeposit`.
	type ApprovalDeposit = ConstU128<0>;
	/// Names and symbols up to 50 bytes.
	type StringLimit = ConstU32<50>;
	/// No freezes on LP tokens.
	type Freezer = ();
	/// No holds on LP tokens.
	type Holder = ();
	/// Nothing extra per account.
	type Extra = ();
	/// No callbacks.
	type CallbackHandle = ();
	/// The asset-conversion pallet picks the ids.
	type AssetIdAllocator = ();
	/// Measured on this project's machine (docs/benchmarks.md).
	type WeightInfo = crate::weights::pallet_assets::WeightInfo<Runtime>;
	/// Upstream benchmark helper.
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}

impl pallet_asset_conversion::Config for Runtime {
	/// The runtime event type.
	type RuntimeEvent = RuntimeEvent;
	/// FST's balance type.
	type Balance = Balance;
	/// Room for the products of two reserves.
	type HigherPrecisionBalance = sp_core::U256;
	/// Pools pair FST with an asset.
	type AssetKind = AssetKind;
	/// FST and the assets (with transfers, not holds).
	type Assets = NativeAndAssets;
	/// A pool is named by its pair.
	type PoolId = (AssetKind, AssetKind);
	/// Every pool has FST on one side: fees in an asset swap straight to FST.
	type PoolLocator = WithFirstAsset<Native, AccountId, AssetKind, PoolIdToAccountId>;
	/// LP tokens are numbered.
	type PoolAssetId = u32;
	/// LP tokens live in the second assets instance.
	type PoolAssets = PoolAssets;
	/// See [`LpFee`].
	type LPFee = LpFee;
	/// Root sets a pool's own fee.
	type AdminOrigin = EnsureRoot<AccountId>;
	/// See [`MaxSwapFee`].
	type MaxSwapFee = MaxSwapFee;
	/// See [`PoolSetupFee`].
	type PoolSetupFee = PoolSetupFee;
	/// Paid in FST.
	type PoolSetupFeeAsset = Native;
	/// Burned, as transaction fees are on this chain.
	type PoolSetupFeeTarget = ();
	/// See [`LiquidityWithdrawalFee`].
	type LiquidityWithdrawalFee = LiquidityWithdrawalFee;
	/// See [`MintMinLiquidity`].
	type MintMinLiquidity = MintMinLiquidity;
	/// A swap crosses at most three assets (asset → FST → asset).
	type MaxSwapPathLength = ConstU32<3>;
	/// See [`AssetConversionPalletId`].
	type PalletId = AssetConversionPalletId;
	/// Measured on this project's machine (docs/benchmarks.md).
	type WeightInfo = crate::weights::pallet_asset_conversion::WeightInfo<Runtime>;
	/// Pools of FST and fresh numbered assets (not the presets' ones, which have pools).
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmarks::AssetConversionPairs;
}

impl pallet_asset_conversion_tx_payment::Config for Runtime {
	/// The runtime event type.
	type RuntimeEvent = RuntimeEvent;
	/// Fees may be paid in FST or any asset with an FST pool.
	type AssetId = AssetKind;
	/// The fee in an asset is swapped to FST through its pool and then burned like FST fees.
	type OnChargeAssetTransaction = pallet_asset_conversion_tx_payment::SwapAssetAdapter<
		Native,
		NativeAndAssets,
		AssetConversion,
		(),
	>;
	/// Measured on this project's machine (docs/benchmarks.md).
	type WeightInfo = crate::weights::pallet_asset_conversion_tx_payment::WeightInfo<Runtime>;
	/// Creates an asset and its pool for the benchmarks.
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmarks::AssetConversionTxHelper;
}

/// Sponsor allowances per payment asset: FST's are the FaaS token's (`FaasToken.approve`), an
/// asset's are its own approvals (`Assets.approve_transfer`). The market spends an asset
/// approval as a transfer from the sponsor to itself, which only lowers the approval.
pub struct SponsorAllowances;

impl defaas_primitives::traits::PaymentAllowances<AccountId, AssetKind, Balance>
	for SponsorAllowances
{
	fn spend_allowance(
		asset: &AssetKind,
		owner: &AccountId,
		spender: &AccountId,
		amount: Balance,
	) -> DispatchResult {
		use defaas_primitives::traits::AllowanceSpender;
		match asset {
			NativeOrWithId::Native => FaasToken::spend_allowance(owner, spender, amount),
			NativeOrWithId::WithId(id) => {
				if amount == 0 {
					return Err(sp_runtime::TokenError::BelowMinimum.into());
				}
				<Assets as fungibles::approvals::Mutate<AccountId>>::transfer_from(
					*id, owner, spender, owner, amount,
				)
			},
		}
	}

	fn allowance(asset: &AssetKind, owner: &AccountId, spender: &AccountId) -> Balance {
		use defaas_primitives::traits::AllowanceSpender;
		match asset {
			NativeOrWithId::Native => FaasToken::allowance(owner, spender),
			NativeOrWithId::WithId(id) => {
				<Assets as fungibles::approvals::Inspect<AccountId>>::allowance(*id, owner, spender)
			},
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn set_allowance(asset: &AssetKind, owner: &AccountId, spender: &AccountId, amount: Balance) {
		use defaas_primitives::traits::AllowanceSpender;
		match asset {
			NativeOrWithId::Native => FaasToken::set_allowance(owner, spender, amount),
			NativeOrWithId::WithId(id) => {
				let _ = <Assets as fungibles::approvals::Mutate<AccountId>>::approve(
					*id, owner, spender, amount,
				);
			},
		}
	}
}

/// What the benchmarks need of the assets.
#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarks {
	use super::*;
	use crate::RuntimeOrigin;
	use alloc::boxed::Box;
	use frame_support::traits::fungible;

	/// The asset the market's benchmarks pay in.
	pub const BENCH_ASSET: AssetId = 0xbe4c;

	/// The first asset id the asset-conversion benchmarks use (above the presets' assets and
	/// [`BENCH_ASSET`]: a genesis pool would make their `create_pool` fail with `PoolExists`).
	pub const FIRST_POOL_BENCH_ASSET: AssetId = 0x0b00_0000;

	/// FST paired with a fresh asset per seed, as upstream's `NativeOrWithIdFactory` pairs
	/// them, from [`FIRST_POOL_BENCH_ASSET`] on.
	pub struct AssetConversionPairs;

	impl pallet_asset_conversion::BenchmarkHelper<AssetKind> for AssetConversionPairs {
		fn create_pair(seed1: u32, seed2: u32) -> (AssetKind, AssetKind) {
			let asset = NativeOrWithId::WithId(FIRST_POOL_BENCH_ASSET.saturating_add(seed2));
			if seed1.is_multiple_of(2) {
				(asset, NativeOrWithId::Native)
			} else {
				(NativeOrWithId::Native, asset)
			}
		}
	}

	/// Creates [`BENCH_ASSET`] (sufficient, minimum balance 1: the benchmarks' unit price
	/// opens the provider's account) on first use and mints it.
	pub struct MarketAssets;

	impl pallet_market::traits::BenchmarkHelper<AccountId, AssetKind, Balance> for MarketAssets {
		fn create_asset() -> AssetKind {
			if !<Assets as fungibles::Inspect<AccountId>>::asset_exists(BENCH_ASSET) {
				let owner: AccountId = AccountId::new([0xbe; 32]);
				let _ =
					<Assets as fungibles::Create<AccountId>>::create(BENCH_ASSET, owner, true, 1);
			}
			NativeOrWithId::WithId(BENCH_ASSET)
		}

		fn fund(asset: &AssetKind, who: &AccountId, amount: Balance) {
			if let NativeOrWithId::WithId(id) = asset {
				let _ = <Assets as fungibles::Mutate<AccountId>>::mint_into(*id, who, amount);
			}
		}
	}

	/// Creates an asset and its FST pool for the fee-payment benchmarks.
	pub struct AssetConversionTxHelper;

	impl pallet_asset_conversion_tx_payment::BenchmarkHelperTrait<AccountId, AssetKind, AssetKind>
		for AssetConversionTxHelper
	{
		fn create_asset_id_parameter(seed: u32) -> (AssetKind, AssetKind) {
			(NativeOrWithId::WithId(seed), NativeOrWithId::WithId(seed))
		}

		fn setup_balances_and_pool(asset_id: AssetKind, account: AccountId) {
			let NativeOrWithId::WithId(id) = asset_id.clone() else {
				return;
			};
			let big: Balance = u128::from(u64::MAX).saturating_mul(100);
			let _ = Assets::force_create(
				RuntimeOrigin::root(),
				id.into(),
				account.clone().into(),
				true,
				1,
			);
			let _ = <Balances as fungible::Mutate<AccountId>>::set_balance(&account, big);
			let _ = <Assets as fungibles::Mutate<AccountId>>::mint_into(id, &account, big);
			let (native, asset) = (Box::new(NativeOrWithId::Native), Box::new(asset_id));
			let _ = AssetConversion::create_pool(
				RuntimeOrigin::signed(account.clone()),
				native.clone(),
				asset.clone(),
			);
			let _ = AssetConversion::add_liquidity(
				RuntimeOrigin::signed(account.clone()),
				native,
				asset,
				u64::MAX.into(),
				u64::MAX.into(),
				1,
				1,
				account,
			);
		}
	}
}
