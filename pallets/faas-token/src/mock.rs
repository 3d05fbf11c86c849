//! Test runtime: `frame_system`, `pallet_balances` (with a test hold reason) and this pallet.

use crate as pallet_faas_token;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, ConstU8, VariantCount},
};
use frame_system::EnsureRoot;
use scale_info::TypeInfo;
use sp_runtime::{BuildStorage, Perbill};

pub(crate) type AccountId = u64;
pub(crate) type Balance = u64;
type Block = frame_system::mocking::MockBlock<Test>;

/// Era length of the test runtime, in blocks.
pub(crate) const ERA_LENGTH: u64 = 10;
/// Blocks per year of the test runtime: one era is 1/100 of a year.
pub(crate) const BLOCKS_PER_YEAR: u64 = 1_000;
/// Closed eras kept in `EraTotals`.
pub(crate) const ERAS_TO_KEEP: u32 = 3;

pub(crate) const ALICE: AccountId = 1;
pub(crate) const BOB: AccountId = 2;
pub(crate) const CHARLIE: AccountId = 3;
pub(crate) const DAVE: AccountId = 4;
/// Never funded at genesis.
pub(crate) const EVE: AccountId = 5;
/// Slash destination in tests; never funded at genesis.
pub(crate) const TREASURY: AccountId = 99;

/// Balance of each of ALICE, BOB, CHARLIE and DAVE at genesis.
pub(crate) const INITIAL_BALANCE: Balance = 250_000;

/// Hold reasons of the test runtime (what the market and witness pool hold in the real one).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Copy,
	Clone,
	Eq,
	PartialEq,
	Ord,
	PartialOrd,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum TestHoldReason {
	/// Provider or witness stake.
	Stake,
	/// Bid deposit.
	Deposit,
}

impl VariantCount for TestHoldReason {
	const VARIANT_COUNT: u32 = 2;
}

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		FaasToken: pallet_faas_token,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

parameter_types! {
	pub static ExistentialDeposit: Balance = 1;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ExistentialDeposit;
	type AccountStore = System;
	type RuntimeHoldReason = TestHoldReason;
}

impl pallet_faas_token::Config for Test {
	type Currency = Balances;
	type AdminOrigin = EnsureRoot<AccountId>;
	type EraLength = ConstU64<ERA_LENGTH>;
	type BlocksPerYear = ConstU64<BLOCKS_PER_YEAR>;
	type ErasToKeep = ConstU32<ERAS_TO_KEEP>;
	type Decimals = ConstU8<12>;
	type WeightInfo = ();
}

/// Builds test externalities: four funded accounts (1 000 000 FST issued), 10 % yearly
/// inflation (a budget of 1 000 per era), block 1 initialised (era 0 open).
pub(crate) struct ExtBuilder {
	existential_deposit: Balance,
	yearly_inflation: Perbill,
	slash_destination: Option<AccountId>,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self {
			existential_deposit: 1,
			yearly_inflation: Perbill::from_percent(10),
			slash_destination: None,
		}
	}
}

impl ExtBuilder {
	pub(crate) fn existential_deposit(mut self, existential_deposit: Balance) -> Self {
		self.existential_deposit = existential_deposit;
		self
	}

	pub(crate) fn yearly_inflation(mut self, yearly_inflation: Perbill) -> Self {
		self.yearly_inflation = yearly_inflation;
		self
	}

	pub(crate) fn slash_destination(mut self, destination: AccountId) -> Self {
		self.slash_destination = Some(destination);
		self
	}

	pub(crate) fn build(self) -> sp_io::TestExternalities {
		ExistentialDeposit::set(self.existential_deposit);
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> {
			balances: [ALICE, BOB, CHARLIE, DAVE]
				.into_iter()
				.map(|who| (who, INITIAL_BALANCE))
				.collect(),
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		pallet_faas_token::GenesisConfig::<Test> {
			yearly_inflation: self.yearly_inflation,
			slash_destination: self.slash_destination,
		}
		.assimilate_storage(&mut storage)
		.unwrap();

		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| run_to_block(1));
		ext
	}

	/// Run `test`, then check the pallet's invariants (`try_state`).
	pub(crate) fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			FaasToken::do_try_state(System::block_number()).expect("try_state must hold");
		});
	}
}

/// Externalities of the default builder (used by the benchmark test suite).
#[cfg(feature = "runtime-benchmarks")]
pub(crate) fn new_test_ext() -> sp_io::TestExternalities {
	ExtBuilder::default().build()
}

/// Run the hooks of every block up to and including `n`.
pub(crate) fn run_to_block(n: u64) {
	System::run_to_block::<AllPalletsWithSystem>(n);
}

/// This pallet's events so far, oldest first.
pub(crate) fn token_events() -> Vec<pallet_faas_token::Event<Test>> {
	System::read_events_for_pallet::<pallet_faas_token::Event<Test>>()
}
