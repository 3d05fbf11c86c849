//! Mock runtime for the market's tests and benchmark tests.
//!
//! The token-pallet traits are implemented by small local structs so that the market's tests
//! do not depend on `pallet-faas-token`'s implementation: [`BurningSink`] burns slashed holds
//! and counts them, [`TestAllowances`] keeps allowances per asset in a thread-local map, and
//! [`MockMonitor`] records `start_monitoring` / `stop_monitoring` calls.
//!
//! Payment assets are the runtime's: `pallet-assets` with `pallet-assets-holder`, FST and the
//! assets joined by `UnionOf` over `NativeOrWithId<u32>`. Genesis creates [`STABLE`] (sufficient,
//! accepted for payment with a minimum prepay of [`STABLE_MIN_PREPAY`], minted to every test
//! account) and [`OTHER`] (exists, not accepted).
//!
//! Heartbeat keys stay `u64` accounts: [`MockWorkerPublic`] maps an sr25519 key to the account
//! [`worker_account`] (its first 8 bytes with the top bit set, so never one of the small test
//! accounts) and remembers the key in [`WORKER_KEYS`], where [`MockWorkerSignature`] looks it
//! up to verify. The externalities carry an in-memory keystore (for the benchmarks).

use crate::{self as pallet_market, traits::SlaMonitor, types::*};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::cell::RefCell;
use defaas_primitives::traits::{PaymentAllowances, SlashSink};
pub use frame_support::traits::fungible::NativeOrWithId;
use frame_support::{
	derive_impl, parameter_types,
	traits::{
		fungible::{Inspect, MutateHold, NativeFromLeft, UnionOf},
		fungibles,
		tokens::{Fortitude, Precision},
		AsEnsureOriginWithArg, ConstU128, ConstU32, ConstU64, Hooks,
	},
	weights::Weight,
	BoundedVec,
};
use frame_system::EnsureRoot;
use scale_info::TypeInfo;
use sp_core::sr25519;
use sp_keystore::{testing::MemoryKeystore, KeystoreExt};
use sp_runtime::{
	traits::{IdentifyAccount, Lazy, Verify},
	BuildStorage, DispatchError, DispatchResult, Perbill, Permill,
};
use std::collections::BTreeMap;

type Block = frame_system::mocking::MockBlock<Test>;
/// The mock's extrinsic (what the heartbeat worker submits): no signature, no extension.
pub type Extrinsic = frame_system::mocking::MockUncheckedExtrinsic<Test>;
pub type AccountId = u64;
pub type Balance = u128;
pub type BlockNumber = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Assets: pallet_assets,
		AssetsHolder: pallet_assets_holder,
		Market: pallet_market,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ConstU128<1>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

#[derive_impl(pallet_assets::config_preludes::TestDefaultConfig as pallet_assets::DefaultConfig)]
impl pallet_assets::Config for Test {
	type Balance = Balance;
	type AssetId = u32;
	type AssetIdParameter = u32;
	type CreateOrigin = AsEnsureOriginWithArg<frame_system::EnsureSigned<AccountId>>;
	type ForceOrigin = EnsureRoot<AccountId>;
	type Currency = Balances;
	type Holder = AssetsHolder;
}

impl pallet_assets_holder::Config for Test {
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeEvent = RuntimeEvent;
}

/// The mock's payment asset kinds: FST (`Native`) or an asset of `pallet-assets`.
pub type AssetKind = NativeOrWithId<u32>;
/// FST and the assets as one `fungibles` (the runtime's `PaymentFunds`).
pub type NativeAndAssets = UnionOf<Balances, AssetsHolder, NativeFromLeft, AssetKind, AccountId>;

/// The stable test asset: sufficient, accepted for payment.
pub const STABLE: u32 = 7;
/// An asset that exists but is not accepted for payment.
pub const OTHER: u32 = 8;
/// An asset id that does not exist.
pub const MISSING: u32 = 9;
/// The least prepay of an order in [`STABLE`].
pub const STABLE_MIN_PREPAY: Balance = 100;

/// [`STABLE`] as a payment asset kind.
pub fn stable() -> AssetKind {
	NativeOrWithId::WithId(STABLE)
}

/// FST as a payment asset kind.
pub fn native() -> AssetKind {
	NativeOrWithId::Native
}

parameter_types! {
	pub const NativeAsset: AssetKind = NativeOrWithId::Native;
	pub const MinProviderStake: Balance = 1_000;
	pub const ReputationDecay: Perbill = Perbill::from_percent(5);
	pub const MinReputationForRefund: Permill = Permill::from_percent(40);
	pub const BidDeposit: Balance = 50;
	pub static ViolationSlash: Balance = 100;
	pub static ViolationsToTerminate: u32 = 2;
	pub static MaxDeadlinesPerBlock: u32 = 4;
	/// The tests' time parameters (repeated as constants in `tests/mod.rs`).
	pub const DefaultTimings: MarketTimings<BlockNumber> = MarketTimings {
		min_bid_window: 2,
		max_bid_window: 20,
		reveal_window: 3,
		confirm_window: 3,
		deploy_window: 4,
		billing_period: 5,
		verdict_grace: 3,
		heartbeat_grace: 10,
		retention_period: 10,
	};
}

impl pallet_market::Config for Test {
	type Currency = Balances;
	type AssetKind = AssetKind;
	type NativeAsset = NativeAsset;
	type PaymentFunds = NativeAndAssets;
	type RuntimeHoldReason = RuntimeHoldReason;
	type LevelAdminOrigin = EnsureRoot<AccountId>;
	type SlaMonitor = MockMonitor;
	type SlashSink = BurningSink;
	type Allowances = TestAllowances;
	type MaxPaymentAssets = ConstU32<2>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockAssets;
	type MaxTagLen = ConstU32<16>;
	type MaxEndpointLen = ConstU32<64>;
	type MaxLevelsPerProvider = ConstU32<4>;
	type MinProviderStake = MinProviderStake;
	type ReputationDecay = ReputationDecay;
	type MinReputationForRefund = MinReputationForRefund;
	type PrepayFactor = ConstU32<2>;
	type MaxPeriods = ConstU32<10>;
	type MinCommittee = ConstU32<1>;
	type MaxCommittee = ConstU32<7>;
	type DefaultTimings = DefaultTimings;
	type BidDeposit = BidDeposit;
	type MaxBidsPerOrder = ConstU32<4>;
	type MaxFallbackCandidates = ConstU32<1>;
	type ViolationSlash = ViolationSlash;
	type ViolationsToTerminate = ViolationsToTerminate;
	type MaxRecentPrices = ConstU32<5>;
	type MaxDeadlinesPerBlock = MaxDeadlinesPerBlock;
	type HeartbeatPeriod = ConstU64<HEARTBEAT_PERIOD>;
	type HeartbeatProbeTimeoutMs = ConstU64<1_000>;
	type WorkerPublic = MockWorkerPublic;
	type WorkerSignature = MockWorkerSignature;
	type WeightInfo = ();
}

/// The mock's `HeartbeatPeriod` (below its `heartbeat_grace` of 10).
pub const HEARTBEAT_PERIOD: BlockNumber = 4;

impl<LocalCall> frame_system::offchain::CreateTransactionBase<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	type RuntimeCall = RuntimeCall;
	type Extrinsic = Extrinsic;
}

impl<LocalCall> frame_system::offchain::CreateTransaction<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	type Extension = ();

	fn create_transaction(call: RuntimeCall, extension: ()) -> Extrinsic {
		Extrinsic::new_transaction(call, extension)
	}
}

impl<LocalCall> frame_system::offchain::CreateAuthorizedTransaction<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	fn create_extension(
	) -> <Self as frame_system::offchain::CreateTransaction<LocalCall>>::Extension {
	}
}

/// The account of an sr25519 heartbeat key in the mock: its first 8 bytes (little endian)
/// with the top bit set.
pub fn worker_account(public: &sr25519::Public) -> AccountId {
	let mut bytes = [0u8; 8];
	bytes.copy_from_slice(&AsRef::<[u8]>::as_ref(public)[..8]);
	u64::from_le_bytes(bytes) | (1 << 63)
}

/// An sr25519 heartbeat key whose account is [`worker_account`].
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct MockWorkerPublic(pub sr25519::Public);

impl From<sr25519::Public> for MockWorkerPublic {
	fn from(public: sr25519::Public) -> Self {
		Self(public)
	}
}

impl IdentifyAccount for MockWorkerPublic {
	type AccountId = AccountId;

	/// [`worker_account`], remembering the key in [`WORKER_KEYS`].
	fn into_account(self) -> AccountId {
		let account = worker_account(&self.0);
		WORKER_KEYS.with(|keys| keys.borrow_mut().insert(account, self.0));
		account
	}
}

/// An sr25519 signature, verified against the key remembered for the account.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct MockWorkerSignature(pub sr25519::Signature);

impl From<sr25519::Signature> for MockWorkerSignature {
	fn from(signature: sr25519::Signature) -> Self {
		Self(signature)
	}
}

impl Verify for MockWorkerSignature {
	type Signer = MockWorkerPublic;

	fn verify<L: Lazy<[u8]>>(&self, mut msg: L, signer: &AccountId) -> bool {
		WORKER_KEYS
			.with(|keys| keys.borrow().get(signer).copied())
			.is_some_and(|public| sp_io::crypto::sr25519_verify(&self.0, msg.get(), &public))
	}
}

/// A call the market made on the monitor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MonitorCall {
	/// `start_monitoring`.
	Start(LeaseInfo<AccountId, BlockNumber>),
	/// `stop_monitoring`.
	Stop(OrderId),
}

thread_local! {
	/// Everything the slash sink burned.
	pub static BURNED: RefCell<Balance> = const { RefCell::new(0) };
	/// Allowances `(asset, owner, spender) -> amount`.
	pub static ALLOWANCES: RefCell<BTreeMap<(AssetKind, AccountId, AccountId), Balance>> =
		const { RefCell::new(BTreeMap::new()) };
	/// Calls on the monitor, in order.
	pub static MONITOR_CALLS: RefCell<Vec<MonitorCall>> = const { RefCell::new(Vec::new()) };
	/// Whether `start_monitoring` fails.
	pub static MONITOR_REFUSES: RefCell<bool> = const { RefCell::new(false) };
	/// Total issuance (of FST, of [`STABLE`]) right after genesis and setup.
	pub static INITIAL_ISSUANCE: RefCell<(Balance, Balance)> = const { RefCell::new((0, 0)) };
	/// sr25519 heartbeat keys by account ([`MockWorkerPublic::into_account`]); never cleared,
	/// the mapping is fixed.
	/// What [`MockMonitor::committee_capacity`] answers (witnesses that could serve).
	pub static MONITOR_CAPACITY: RefCell<u32> = const { RefCell::new(u32::MAX) };
	pub static WORKER_KEYS: RefCell<BTreeMap<AccountId, sr25519::Public>> =
		const { RefCell::new(BTreeMap::new()) };
}

/// Burns what it is given from the hold and counts it.
pub struct BurningSink;
impl SlashSink<AccountId, Balance, RuntimeHoldReason> for BurningSink {
	fn slash_held(reason: &RuntimeHoldReason, who: &AccountId, amount: Balance) -> Balance {
		let burned = <Balances as MutateHold<AccountId>>::burn_held(
			reason,
			who,
			amount,
			Precision::BestEffort,
			Fortitude::Force,
		)
		.unwrap_or(0);
		BURNED.with(|b| *b.borrow_mut() += burned);
		burned
	}
}

/// Allowances kept in [`ALLOWANCES`], per asset.
pub struct TestAllowances;
impl PaymentAllowances<AccountId, AssetKind, Balance> for TestAllowances {
	fn spend_allowance(
		asset: &AssetKind,
		owner: &AccountId,
		spender: &AccountId,
		amount: Balance,
	) -> DispatchResult {
		ALLOWANCES.with(|a| {
			let mut a = a.borrow_mut();
			let key = (asset.clone(), *owner, *spender);
			let left = a.get(&key).copied().unwrap_or(0);
			if amount == 0 || left < amount {
				return Err(DispatchError::Other("insufficient allowance"));
			}
			a.insert(key, left - amount);
			Ok(())
		})
	}

	fn allowance(asset: &AssetKind, owner: &AccountId, spender: &AccountId) -> Balance {
		ALLOWANCES
			.with(|a| a.borrow().get(&(asset.clone(), *owner, *spender)).copied().unwrap_or(0))
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn set_allowance(asset: &AssetKind, owner: &AccountId, spender: &AccountId, amount: Balance) {
		ALLOWANCES.with(|a| a.borrow_mut().insert((asset.clone(), *owner, *spender), amount));
	}
}

/// The benchmarks' payment asset: [`OTHER`] (exists, not yet accepted), minted on demand.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockAssets;
#[cfg(feature = "runtime-benchmarks")]
impl crate::traits::BenchmarkHelper<AccountId, AssetKind, Balance> for MockAssets {
	fn create_asset() -> AssetKind {
		NativeOrWithId::WithId(OTHER)
	}

	fn fund(asset: &AssetKind, who: &AccountId, amount: Balance) {
		if let NativeOrWithId::WithId(id) = asset {
			let _ = <Assets as fungibles::Mutate<AccountId>>::mint_into(*id, who, amount);
		}
	}
}

/// Records calls in [`MONITOR_CALLS`]; refuses leases while [`MONITOR_REFUSES`] is set.
pub struct MockMonitor;
impl SlaMonitor<AccountId, BlockNumber> for MockMonitor {
	fn start_monitoring(lease: &LeaseInfo<AccountId, BlockNumber>) -> DispatchResult {
		if MONITOR_REFUSES.with(|r| *r.borrow()) {
			return Err(DispatchError::Other("no witnesses"));
		}
		MONITOR_CALLS.with(|c| c.borrow_mut().push(MonitorCall::Start(lease.clone())));
		Ok(())
	}

	fn stop_monitoring(order_id: OrderId) {
		MONITOR_CALLS.with(|c| c.borrow_mut().push(MonitorCall::Stop(order_id)));
	}

	fn committee_capacity() -> u32 {
		MONITOR_CAPACITY.with(|c| *c.borrow())
	}
}

// Accounts: customers 1..=5, providers 11..=15 (heartbeat key = provider + 100), 99 has nothing.
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
pub const P1: AccountId = 11;
pub const P2: AccountId = 12;
pub const P3: AccountId = 13;
pub const P4: AccountId = 14;
pub const P5: AccountId = 15;
pub const NOBODY: AccountId = 99;
pub const INITIAL_BALANCE: Balance = 1_000_000;
pub const STAKE: Balance = 1_000;

/// The heartbeat key of provider `who`.
pub fn hb(who: AccountId) -> AccountId {
	who + 100
}

/// The seed paper's four levels.
pub fn paper_levels() -> Vec<LevelInfo> {
	vec![
		LevelInfo::new(1_000, 0, 512, 50, b"normal"),
		LevelInfo::new(1_000, 0, 1_024, 100, b"normal"),
		LevelInfo::new(2_000, 0, 2_048, 200, b"graphics"),
		LevelInfo::new(1_000, 10, 4_096, 500, b"ai"),
	]
}

/// Builds the test externalities: funded accounts, the paper's levels, optional providers.
#[derive(Default)]
pub struct ExtBuilder {
	providers: Vec<(AccountId, Vec<LevelId>)>,
	balances: Vec<(AccountId, Balance)>,
	timings: Option<MarketTimings<BlockNumber>>,
}

impl ExtBuilder {
	/// Register `who` (stake [`STAKE`], heartbeat key [`hb`]) offering `levels`, online.
	pub fn with_provider(mut self, who: AccountId, levels: &[LevelId]) -> Self {
		self.providers.push((who, levels.to_vec()));
		self
	}

	/// Give `who` a balance (instead of the default).
	pub fn with_balance(mut self, who: AccountId, amount: Balance) -> Self {
		self.balances.push((who, amount));
		self
	}

	/// Set the market's time parameters at genesis (instead of [`DefaultTimings`]).
	pub fn with_timings(mut self, timings: MarketTimings<BlockNumber>) -> Self {
		self.timings = Some(timings);
		self
	}

	/// The externalities at block 1.
	pub fn build(self) -> sp_io::TestExternalities {
		BURNED.with(|b| *b.borrow_mut() = 0);
		ALLOWANCES.with(|a| a.borrow_mut().clear());
		MONITOR_CALLS.with(|c| c.borrow_mut().clear());
		MONITOR_REFUSES.with(|r| *r.borrow_mut() = false);
		ViolationsToTerminate::set(2);
		ViolationSlash::set(100);
		MaxDeadlinesPerBlock::set(4);

		let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		let mut balances: BTreeMap<AccountId, Balance> =
			(1..=5).chain(11..=15).map(|who| (who, INITIAL_BALANCE)).collect();
		balances.extend(self.balances.iter().copied());
		pallet_balances::GenesisConfig::<Test> {
			balances: balances.into_iter().filter(|(_, amount)| *amount > 0).collect(),
			..Default::default()
		}
		.assimilate_storage(&mut t)
		.unwrap();
		pallet_assets::GenesisConfig::<Test> {
			// (id, owner, is_sufficient, min_balance)
			assets: vec![(STABLE, NOBODY, true, 1), (OTHER, NOBODY, true, 1)],
			metadata: vec![(STABLE, b"Test Dollar".to_vec(), b"TUSD".to_vec(), 6)],
			accounts: (1..=5)
				.chain(11..=15)
				.flat_map(|who| [(STABLE, who, INITIAL_BALANCE), (OTHER, who, INITIAL_BALANCE)])
				.collect(),
			next_asset_id: None,
			reserves: vec![],
		}
		.assimilate_storage(&mut t)
		.unwrap();
		pallet_market::GenesisConfig::<Test> {
			levels: paper_levels(),
			timings: self.timings,
			payment_assets: vec![(stable(), STABLE_MIN_PREPAY)],
			..Default::default()
		}
		.assimilate_storage(&mut t)
		.unwrap();

		let mut ext = sp_io::TestExternalities::new(t);
		ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
		ext.execute_with(|| {
			// What a runtime's genesis does besides the pallets' configs: the storage versions.
			<AllPalletsWithSystem as frame_support::traits::OnGenesis>::on_genesis();
			System::set_block_number(1);
			for (who, levels) in self.providers {
				Market::register_provider(
					RuntimeOrigin::signed(who),
					STAKE,
					endpoint(),
					BoundedVec::truncate_from(levels),
					hb(who),
				)
				.unwrap();
				Market::heartbeat(RuntimeOrigin::signed(hb(who)), BoundedVec::new()).unwrap();
			}
			INITIAL_ISSUANCE.with(|i| *i.borrow_mut() = (issuance(), issuance_of(STABLE)));
			System::reset_events();
		});
		ext
	}

	/// Run `test`, then check the market's `try_state` and FST conservation.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			check_invariants();
		});
	}
}

/// `try_state` (the market's and the asset holder's) plus conservation: the market never
/// changes total issuance, of FST or of an asset; only the (test) slash sink burns FST.
pub fn check_invariants() {
	Market::do_try_state().expect("try_state");
	{
		use frame_support::traits::{TryState, TryStateSelect};
		// The asset pallets' own checks: balances on hold == holds, supply ≥ balances.
		<(Assets, AssetsHolder) as TryState<BlockNumber>>::try_state(
			System::block_number(),
			TryStateSelect::All,
		)
		.expect("assets try_state");
	}
	let (initial, initial_stable) = INITIAL_ISSUANCE.with(|i| *i.borrow());
	let burned = BURNED.with(|b| *b.borrow());
	assert_eq!(issuance() + burned, initial, "FST created or destroyed");
	assert_eq!(issuance_of(STABLE), initial_stable, "stable asset created or destroyed");
}

/// A valid endpoint.
pub fn endpoint() -> BoundedVec<u8, ConstU32<64>> {
	BoundedVec::truncate_from(b"https://provider.example".to_vec())
}

/// Run the hooks up to block `n`: `on_idle` of every block before `n` (with unlimited
/// weight), then `on_initialize` of the next.
pub fn run_to_block(n: BlockNumber) {
	while System::block_number() < n {
		let b = System::block_number();
		Market::on_idle(b, Weight::MAX);
		System::set_block_number(b + 1);
		Market::on_initialize(b + 1);
	}
}

/// The market's events so far.
pub fn market_events() -> Vec<pallet_market::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Market(event) => Some(event),
			_ => None,
		})
		.collect()
}

/// The monitor calls so far.
pub fn monitor_calls() -> Vec<MonitorCall> {
	MONITOR_CALLS.with(|c| c.borrow().clone())
}

/// Everything the slash sink burned so far.
pub fn burned() -> Balance {
	BURNED.with(|b| *b.borrow())
}

/// Set an FST allowance in the test allowance map.
pub fn approve(owner: AccountId, spender: AccountId, amount: Balance) {
	approve_in(native(), owner, spender, amount);
}

/// Set an allowance of `asset` in the test allowance map.
pub fn approve_in(asset: AssetKind, owner: AccountId, spender: AccountId, amount: Balance) {
	ALLOWANCES.with(|a| a.borrow_mut().insert((asset, owner, spender), amount));
}

/// Make the monitor refuse (or accept) leases.
pub fn monitor_refuses(refuses: bool) {
	MONITOR_REFUSES.with(|r| *r.borrow_mut() = refuses);
}

/// Free balance of `who`.
pub fn free(who: AccountId) -> Balance {
	<Balances as Inspect<AccountId>>::balance(&who)
}

/// Total issuance of FST.
pub fn issuance() -> Balance {
	<Balances as Inspect<AccountId>>::total_issuance()
}

/// Total issuance of asset `id`.
pub fn issuance_of(id: u32) -> Balance {
	<Assets as fungibles::Inspect<AccountId>>::total_issuance(id)
}

/// Balance of `who` in `asset` (FST or an asset), holds excluded.
pub fn free_in(asset: AssetKind, who: AccountId) -> Balance {
	<NativeAndAssets as fungibles::Inspect<AccountId>>::balance(asset, &who)
}

/// What `who` holds in `asset` as order prepays.
pub fn prepay_held_in(asset: AssetKind, who: AccountId) -> Balance {
	<NativeAndAssets as fungibles::InspectHold<AccountId>>::balance_on_hold(
		asset,
		&pallet_market::HoldReason::OrderPrepay.into(),
		&who,
	)
}
