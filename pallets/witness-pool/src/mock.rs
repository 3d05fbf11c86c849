//! Mock runtime for the witness pool's tests and benchmark tests.
//!
//! `pallet-faas-token` is the real [`RewardMinter`](pallet_faas_token::RewardMinter) and
//! [`SlashSink`](pallet_faas_token::SlashSink) (it burns slashes and mints under a budget the
//! tests never exhaust). The market is replaced by [`MockVerdicts`], which records verdicts and
//! can refuse them or end the lease from within like the market does, and the BABE randomness
//! by [`TestRandomness`], a settable hash, and its provider directory by [`MockDirectory`], a
//! thread-local table of endpoints and level memories. The externalities carry a `KeystoreExt`
//! (`MemoryKeystore`) so the `witness_vrf` host function and the benchmarks work natively.
//! Off-chain worker transactions are [`Extrinsic`]s: general transactions without extension.

use crate::{
	self as pallet_witness_pool,
	types::*,
	vrf::{self, VrfKey, VrfSignature},
	WitnessTimings,
};
use codec::Encode;
use core::cell::RefCell;
use defaas_primitives::traits::{ProviderDirectory, SlaMonitor, SlaVerdictHandler};
use frame_support::{
	derive_impl, parameter_types,
	traits::{fungible::Inspect, ConstI32, ConstU128, ConstU32, ConstU64, ConstU8, Randomness},
	weights::Weight,
};
use frame_system::EnsureRoot;
use sp_core::{
	crypto::{Pair as _, VrfSecret},
	sr25519, H256,
};
use sp_keystore::{testing::MemoryKeystore, KeystoreExt};
use sp_runtime::{BuildStorage, DispatchError, Perbill};
use std::collections::BTreeMap;

type Block = frame_system::mocking::MockBlock<Test>;
/// The extrinsic of the mock: what the off-chain worker submits.
pub type Extrinsic = frame_system::mocking::MockUncheckedExtrinsic<Test>;
pub type AccountId = u64;
pub type Balance = u128;
pub type BlockNumber = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		FaasToken: pallet_faas_token,
		WitnessPool: pallet_witness_pool,
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

impl pallet_faas_token::Config for Test {
	type Currency = Balances;
	type AdminOrigin = EnsureRoot<AccountId>;
	// One era per 100 000 blocks and a year of one era at 100 % inflation: the reward budget
	// equals the total issuance, so no test scales rewards down.
	type EraLength = ConstU64<100_000>;
	type BlocksPerYear = ConstU64<100_000>;
	type ErasToKeep = ConstU32<3>;
	type Decimals = ConstU8<12>;
	type WeightInfo = ();
}

parameter_types! {
	pub const MinWitnessStake: Balance = 100;
	pub static ActivationDelay: BlockNumber = 5;
	pub static MaxWitnesses: u32 = 64;
	pub static MaxStepsPerBlock: u32 = 8;
	/// The worker's time budget per run (the test offchain clock stands still unless moved).
	pub static WorkerBudgetMs: u64 = 1_000;
	pub static MaxAgendaSpill: u32 = 2;
	/// Room for every step of the tests unless a test lowers it.
	pub static MaxAgendaWeight: Weight = Weight::from_parts(100_000_000_000, u64::MAX / 64);
	/// The tests' round windows (repeated as constants in `tests/mod.rs`).
	pub const DefaultTimings: WitnessTimings<BlockNumber> =
		WitnessTimings { join_window: 2, commit_window: 3, reveal_window: 3 };
}

impl pallet_witness_pool::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Randomness = TestRandomness;
	type VerdictHandler = MockVerdicts;
	type RewardMinter = FaasToken;
	type SlashSink = FaasToken;
	type TimingsAdminOrigin = EnsureRoot<AccountId>;
	type MinWitnessStake = MinWitnessStake;
	type ActivationDelay = ActivationDelay;
	type MaxWitnesses = MaxWitnesses;
	type MaxCommittee = ConstU32<7>;
	type JoinFactor = ConstU32<2>;
	type FillAttemptsPerSeat = ConstU32<4>;
	type MaxStepsPerBlock = MaxStepsPerBlock;
	type MaxAgendaSpill = MaxAgendaSpill;
	type MaxAgendaWeight = MaxAgendaWeight;
	type WitnessRewardUnit = ConstU128<10>;
	type MinReputationForRefund = ConstI32<50>;
	type DefaultTimings = DefaultTimings;
	type Directory = MockDirectory;
	type ProbesPerRound = ConstU32<3>;
	type ProbeTimeoutMs = ConstU64<2_000>;
	type ChallengeTimeoutMs = ConstU64<5_000>;
	type PackageCheckTimeoutMs = ConstU64<20_000>;
	type FreivaldsRounds = ConstU32<10>;
	type WorkerBudgetMs = WorkerBudgetMs;
	type WeightInfo = ();
}

impl<LocalCall> frame_system::offchain::CreateTransactionBase<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	type Extrinsic = Extrinsic;
	type RuntimeCall = RuntimeCall;
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
	fn create_extension() {}
}

thread_local! {
	/// What [`TestRandomness`] returns.
	pub static RANDOMNESS: RefCell<H256> = const { RefCell::new(H256::repeat_byte(7)) };
	/// Verdicts delivered to [`MockVerdicts`], in order.
	pub static VERDICTS: RefCell<Vec<(OrderId, u32, Verdict)>> = const { RefCell::new(Vec::new()) };
	/// Whether [`MockVerdicts`] refuses verdicts.
	pub static VERDICTS_REFUSED: RefCell<bool> = const { RefCell::new(false) };
	/// Orders whose lease [`MockVerdicts`] ends (calls `stop_monitoring`) on a verdict, as the
	/// market does after the last period or repeated violations.
	pub static STOP_ON_VERDICT: RefCell<Vec<OrderId>> = const { RefCell::new(Vec::new()) };
	/// Total issuance right after genesis and setup.
	pub static INITIAL_ISSUANCE: RefCell<Balance> = const { RefCell::new(0) };
	/// Provider endpoints known to [`MockDirectory`].
	pub static ENDPOINTS: RefCell<BTreeMap<AccountId, Vec<u8>>> = const { RefCell::new(BTreeMap::new()) };
	/// Memory in MB of the levels known to [`MockDirectory`].
	pub static LEVEL_MEMORY: RefCell<BTreeMap<LevelId, u32>> = const { RefCell::new(BTreeMap::new()) };
}

/// The endpoint of [`PROVIDER`] in the tests.
pub const PROVIDER_ENDPOINT: &str = "http://provider.test:8080";

/// The market's provider directory in the tests: [`ENDPOINTS`] and [`LEVEL_MEMORY`].
pub struct MockDirectory;
impl ProviderDirectory<AccountId> for MockDirectory {
	fn endpoint(provider: &AccountId) -> Option<Vec<u8>> {
		ENDPOINTS.with(|e| e.borrow().get(provider).cloned())
	}

	fn level_memory_mb(level: LevelId) -> Option<u32> {
		LEVEL_MEMORY.with(|l| l.borrow().get(&level).copied())
	}
}

/// Set (or, with `None`, remove) the endpoint of `provider`.
pub fn set_endpoint(provider: AccountId, endpoint: Option<&str>) {
	ENDPOINTS.with(|e| match endpoint {
		Some(url) => e.borrow_mut().insert(provider, url.as_bytes().to_vec()),
		None => e.borrow_mut().remove(&provider),
	});
}

/// Set (or, with `None`, remove) the memory of `level`.
pub fn set_level_memory(level: LevelId, memory_mb: Option<u32>) {
	LEVEL_MEMORY.with(|l| match memory_mb {
		Some(mb) => l.borrow_mut().insert(level, mb),
		None => l.borrow_mut().remove(&level),
	});
}

/// BABE's randomness in the tests: the hash in [`RANDOMNESS`].
pub struct TestRandomness;
impl Randomness<H256, BlockNumber> for TestRandomness {
	fn random(_subject: &[u8]) -> (H256, BlockNumber) {
		(RANDOMNESS.with(|r| *r.borrow()), 0)
	}
}

/// Records verdicts in [`VERDICTS`]; refuses them while [`VERDICTS_REFUSED`] is set.
pub struct MockVerdicts;
impl SlaVerdictHandler for MockVerdicts {
	fn on_verdict(
		order_id: OrderId,
		round: u32,
		verdict: Verdict,
	) -> Result<Weight, DispatchError> {
		if VERDICTS_REFUSED.with(|r| *r.borrow()) {
			return Err(DispatchError::Other("verdict refused"));
		}
		VERDICTS.with(|v| v.borrow_mut().push((order_id, round, verdict)));
		if STOP_ON_VERDICT.with(|s| s.borrow().contains(&order_id)) {
			<WitnessPool as SlaMonitor<AccountId, BlockNumber>>::stop_monitoring(order_id);
		}
		Ok(Weight::zero())
	}
}

// Accounts: witnesses 1..=60, the lease's provider 100 and customer 101, 99 has nothing.
pub const PROVIDER: AccountId = 100;
pub const CUSTOMER: AccountId = 101;
pub const NOBODY: AccountId = 99;
pub const INITIAL_BALANCE: Balance = 1_000_000;
pub const STAKE: Balance = 1_000;

/// The sr25519 (VRF) key pair of witness `who`.
pub fn vrf_pair(who: AccountId) -> sr25519::Pair {
	sr25519::Pair::from_seed(&sp_io::hashing::blake2_256(&(b"witness", who).encode()))
}

/// The VRF key witness `who` registers.
pub fn vrf_key(who: AccountId) -> VrfKey {
	vrf_pair(who).public()
}

/// Witness `who`'s VRF signature over `seed`, computed with its key pair.
pub fn vrf_sign(who: AccountId, seed: &[u8; 32]) -> VrfSignature {
	vrf_pair(who).vrf_sign(&vrf::sign_data(seed)).into()
}

/// Builds the test externalities: funded accounts, optional registered witnesses (active
/// from the block the tests start at, [`START`]).
#[derive(Default)]
pub struct ExtBuilder {
	witnesses: Vec<AccountId>,
	genesis_witnesses: Vec<AccountId>,
	balances: Vec<(AccountId, Balance)>,
	timings: Option<WitnessTimings<BlockNumber>>,
}

/// Block at which tests start (the default witnesses are active from it).
pub const START: BlockNumber = 10;

impl ExtBuilder {
	/// Register `who` (stake [`STAKE`], key [`vrf_key`]) at block 1.
	pub fn with_witnesses(mut self, who: impl IntoIterator<Item = AccountId>) -> Self {
		self.witnesses.extend(who);
		self
	}

	/// Register `who` (stake [`STAKE`], key [`vrf_key`]) in the genesis config.
	pub fn with_genesis_witnesses(mut self, who: impl IntoIterator<Item = AccountId>) -> Self {
		self.genesis_witnesses.extend(who);
		self
	}

	/// Give `who` a balance (instead of the default).
	pub fn with_balance(mut self, who: AccountId, amount: Balance) -> Self {
		self.balances.push((who, amount));
		self
	}

	/// Set the round windows at genesis (instead of [`DefaultTimings`]).
	pub fn with_timings(mut self, timings: WitnessTimings<BlockNumber>) -> Self {
		self.timings = Some(timings);
		self
	}

	/// The externalities: witnesses registered at block 1, then the chain runs to [`START`].
	pub fn build(self) -> sp_io::TestExternalities {
		RANDOMNESS.with(|r| *r.borrow_mut() = H256::repeat_byte(7));
		VERDICTS.with(|v| v.borrow_mut().clear());
		VERDICTS_REFUSED.with(|r| *r.borrow_mut() = false);
		STOP_ON_VERDICT.with(|s| s.borrow_mut().clear());
		ENDPOINTS.with(|e| e.borrow_mut().clear());
		LEVEL_MEMORY.with(|l| l.borrow_mut().clear());
		set_endpoint(PROVIDER, Some(PROVIDER_ENDPOINT));
		// The seed paper's level 0: 512 MB (challenge matrices of 64 × 64).
		set_level_memory(0, Some(512));
		ActivationDelay::set(5);
		MaxWitnesses::set(64);
		MaxStepsPerBlock::set(8);
		MaxAgendaSpill::set(2);
		MaxAgendaWeight::set(Weight::from_parts(100_000_000_000, u64::MAX / 64));

		let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		let mut balances: BTreeMap<AccountId, Balance> =
			(1..=60).chain([PROVIDER, CUSTOMER]).map(|who| (who, INITIAL_BALANCE)).collect();
		balances.extend(self.balances.iter().copied());
		pallet_balances::GenesisConfig::<Test> {
			balances: balances.into_iter().filter(|(_, amount)| *amount > 0).collect(),
			..Default::default()
		}
		.assimilate_storage(&mut t)
		.unwrap();
		pallet_faas_token::GenesisConfig::<Test> {
			yearly_inflation: Perbill::from_percent(100),
			slash_destination: None,
		}
		.assimilate_storage(&mut t)
		.unwrap();
		pallet_witness_pool::GenesisConfig::<Test> {
			timings: self.timings,
			witnesses: self.genesis_witnesses.iter().map(|w| (*w, STAKE, vrf_key(*w))).collect(),
		}
		.assimilate_storage(&mut t)
		.unwrap();

		let mut ext = sp_io::TestExternalities::new(t);
		ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
		ext.execute_with(|| {
			run_to_block(1);
			for who in self.witnesses {
				WitnessPool::register_witness(RuntimeOrigin::signed(who), STAKE, vrf_key(who))
					.unwrap();
			}
			run_to_block(START);
			INITIAL_ISSUANCE.with(|i| *i.borrow_mut() = issuance());
			System::reset_events();
		});
		ext
	}

	/// Run `test`, then check the pool's `try_state` and FST conservation.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			check_invariants();
		});
	}
}

/// `try_state` plus conservation: total issuance changes only by what the token pallet minted
/// as rewards and burned as slashes.
pub fn check_invariants() {
	WitnessPool::do_try_state().expect("try_state");
	let initial = INITIAL_ISSUANCE.with(|i| *i.borrow());
	let era = pallet_faas_token::CurrentEra::<Test>::get().expect("an era is open");
	assert_eq!(issuance() + era.burned, initial + era.minted, "FST created or destroyed");
}

/// Run the hooks of every block up to and including `n`.
pub fn run_to_block(n: BlockNumber) {
	System::run_to_block::<AllPalletsWithSystem>(n);
}

/// The pool's events so far.
pub fn pool_events() -> Vec<pallet_witness_pool::Event<Test>> {
	System::read_events_for_pallet::<pallet_witness_pool::Event<Test>>()
}

/// The token pallet's events so far.
pub fn token_events() -> Vec<pallet_faas_token::Event<Test>> {
	System::read_events_for_pallet::<pallet_faas_token::Event<Test>>()
}

/// Verdicts delivered so far.
pub fn verdicts() -> Vec<(OrderId, u32, Verdict)> {
	VERDICTS.with(|v| v.borrow().clone())
}

/// Make the verdict handler refuse (or accept) verdicts.
pub fn refuse_verdicts(refused: bool) {
	VERDICTS_REFUSED.with(|r| *r.borrow_mut() = refused);
}

/// Let the verdict handler end the lease of `order_id` on its next verdict.
pub fn stop_on_verdict(order_id: OrderId) {
	STOP_ON_VERDICT.with(|s| s.borrow_mut().push(order_id));
}

/// Set the randomness round seeds are drawn from.
pub fn set_randomness(hash: H256) {
	RANDOMNESS.with(|r| *r.borrow_mut() = hash);
}

/// Free balance of `who`.
pub fn free(who: AccountId) -> Balance {
	<Balances as Inspect<AccountId>>::balance(&who)
}

/// Total issuance of FST.
pub fn issuance() -> Balance {
	<Balances as Inspect<AccountId>>::total_issuance()
}
