//! The test chain of the flow tests: the real `defaas_runtime::Runtime` in
//! `sp_io::TestExternalities`, with genesis built from the runtime's own `development` preset,
//! a `MemoryKeystore` for the witnesses' `wtns` keys, and blocks produced the way a node's block
//! builder produces them:
//!
//! `Executive::initialize_block` (a BABE `SecondaryPlain` pre-digest of the next slot; every
//! pallet's `on_initialize`: BABE, the token's era, the witness pool's agenda) → the timestamp
//! inherent through `Executive::apply_extrinsic` (BABE checks it against the slot) →
//! `Executive::inherents_applied` (`on_poll`) → the test's transactions → `Executive::
//! finalize_block` (`on_idle`: the market's deadline sweep; `on_finalize`).
//!
//! Time moves only through [`next_block`]: no test ever calls the market's `advance`.
//!
//! After every block the harness collects the block's events, keeps the FST ledger (minted
//! rewards, burned slashes, burned fees) and checks the invariants of
//! `docs/architecture.md` §10 that the pallets' `try_state` checks (which are compiled only with
//! `try-runtime`; with that feature `AllPalletsWithSystem::try_state` runs as well).

use codec::Encode;
pub use defaas_runtime::configs::AssetKind;
use defaas_runtime::{
	genesis_config_presets::DEV_ENDOWMENT, AccountId, Balance, Balances, BlockNumber, Executive,
	Header, Runtime, RuntimeCall, RuntimeEvent, RuntimeGenesisConfig, RuntimeHoldReason,
	RuntimeOrigin, SignedPayload, System, TxExtension, UncheckedExtrinsic, SLOT_DURATION,
	WITNESS_KEY_TYPE,
};
use frame_support::traits::fungible::{Inspect, InspectHold};
use pallet_market::{HoldReason as MarketHold, OrderId, OrderRecordOf, OrderState};
use pallet_witness_pool::{vrf, RoundPhase, RoundRecordOf, VrfKey};
use sp_consensus_babe::{
	digests::{PreDigest, SecondaryPlainPreDigest},
	BABE_ENGINE_ID,
};
use sp_core::H256;
use sp_keystore::{testing::MemoryKeystore, KeystoreExt};
use sp_runtime::{
	traits::{Dispatchable, Header as _},
	BuildStorage, Digest, DigestItem, DispatchError, DispatchResult, MultiAddress, MultiSignature,
};
use std::{
	cell::RefCell,
	collections::{BTreeMap, BTreeSet},
};

pub use sp_keyring::Sr25519Keyring as Who;

type MarketCall = pallet_market::Call<Runtime>;
type PoolCall = pallet_witness_pool::Call<Runtime>;

/// One FST in plancks.
pub const FST: Balance = defaas_runtime::FST;
/// `MinProviderStake`.
pub const PROVIDER_STAKE: Balance = 1_000 * FST;
/// `MinWitnessStake`.
pub const WITNESS_STAKE: Balance = 100 * FST;
/// `BidDeposit`.
pub const BID_DEPOSIT: Balance = 10 * FST;
/// `ViolationSlash`.
pub const VIOLATION_SLASH: Balance = 50 * FST;
/// `WitnessRewardUnit`.
pub const REWARD_UNIT: Balance = 4 * FST;
/// `ActivationDelay` (two one-minute BABE epochs).
pub const ACTIVATION_DELAY: BlockNumber = 40;
/// Package hash of every test order.
pub const PACKAGE: [u8; 32] = [7u8; 32];
/// The endpoint every test provider registers.
pub const ENDPOINT: &[u8] = b"http://127.0.0.1:8080";
/// Slot of block 0 (block `n` is authored in slot `GENESIS_SLOT + n`).
const GENESIS_SLOT: u64 = 600_000_000;

/// Which time parameters the chain runs with.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Timings {
	/// The `development` preset as it is: its short dev timings.
	Dev,
	/// The `development` preset without its market and witness timings: the pallets' defaults,
	/// i.e. the production parameters (hour-long billing periods).
	Production,
}

// ---------------------------------------------------------------------------------------------
// The chain
// ---------------------------------------------------------------------------------------------

/// What the harness remembers about the chain it drives (one chain per test thread).
#[derive(Default)]
struct Context {
	/// Events of the finished blocks, with their block number.
	log: Vec<(BlockNumber, RuntimeEvent)>,
	/// Total issuance at genesis.
	genesis_issuance: Balance,
	/// Rewards minted (`FaasToken::RewardMinted`).
	minted: Balance,
	/// Slashes burned (`FaasToken::Slashed { burned: true }`).
	burned: Balance,
	/// Transaction fees paid (burned: no treasury).
	fees: Balance,
	/// Check the invariants after every `check_every`-th block (0 or 1: every block).
	check_every: BlockNumber,
	/// Whether finished blocks' events are kept in `log` (the simulation's long runs do not).
	forget_events: bool,
}

thread_local! {
	static CONTEXT: RefCell<Context> = RefCell::new(Context::default());
}

/// The genesis storage of the `development` preset (optionally without its timings), built
/// natively the way the node builds it through the `GenesisBuilder` API: the default
/// `RuntimeGenesisConfig` as JSON, the preset's patch merged into it.
fn genesis(timings: Timings) -> sp_runtime::Storage {
	static DEV: std::sync::OnceLock<sp_runtime::Storage> = std::sync::OnceLock::new();
	static PRODUCTION: std::sync::OnceLock<sp_runtime::Storage> = std::sync::OnceLock::new();
	let cell = match timings {
		Timings::Dev => &DEV,
		Timings::Production => &PRODUCTION,
	};
	cell.get_or_init(|| build_genesis(timings)).clone()
}

/// [`genesis`], built once per process and timings.
fn build_genesis(timings: Timings) -> sp_runtime::Storage {
	let default =
		frame_support::genesis_builder_helper::get_preset::<RuntimeGenesisConfig>(&None, |_| None)
			.expect("default genesis config");
	let mut json: serde_json::Value = serde_json::from_slice(&default).expect("json");
	let preset = defaas_runtime::genesis_config_presets::get_preset(
		&sp_genesis_builder::PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
	)
	.expect("the development preset");
	json_merge(&mut json, serde_json::from_slice(&preset).expect("json"));
	// The flows seat only witnesses of their own: the dev preset's genesis witness (there so a
	// fresh dev node's leases reach verdicts) and its endowment are left out.
	let witness =
		defaas_runtime::genesis_config_presets::dev_witness().expect("the dev witness").to_string();
	json["witnessPool"]["witnesses"] = serde_json::json!([]);
	if let Some(balances) = json["balances"]["balances"].as_array_mut() {
		balances.retain(|entry| entry[0].as_str() != Some(witness.as_str()));
	}
	if timings == Timings::Production {
		for pallet in ["market", "witnessPool"] {
			let config = json.get_mut(pallet).expect("the pallet's genesis config");
			assert!(!config["timings"].is_null(), "the dev preset sets {pallet} timings");
			config["timings"] = serde_json::Value::Null;
		}
	}
	let config: RuntimeGenesisConfig = serde_json::from_value(json).expect("genesis config");
	config.build_storage().expect("genesis storage")
}

/// Merge `patch` into `base` the way a chain spec applies a preset: objects key by key,
/// anything else replaced (the node's `sc_chain_spec::json_merge`, without linking the client
/// crates into the fuzzer).
fn json_merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(base), serde_json::Value::Object(patch)) => {
			for (key, value) in patch {
				json_merge(base.entry(key).or_insert(serde_json::Value::Null), value);
			}
		},
		(base, patch) => *base = patch,
	}
}

/// Run `test` on a fresh chain at block 1, then check the invariants a last time.
pub fn run(timings: Timings, test: impl FnOnce()) {
	new_chain(timings).execute_with(|| {
		test();
		next_block();
	});
}

/// A fresh chain at block 1, the one [`run`] runs its test on, for a driver that runs it in
/// stretches of `execute_with` and commits the overlay to the in-memory trie in between
/// (`TestExternalities::commit_all`): every block computes the storage root over the overlay's
/// changes, which otherwise pile up over a long run. The harness's context is this thread's.
pub fn new_chain(timings: Timings) -> sp_io::TestExternalities {
	let mut ext = sp_io::TestExternalities::new(genesis(timings));
	ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
	ext.execute_with(|| {
		CONTEXT.with(|c| {
			*c.borrow_mut() = Context { genesis_issuance: issuance(), ..Default::default() }
		});
		check_constants();
		assert_eq!(issuance(), dev_accounts().len() as Balance * ENDOWMENT);
		let genesis_hash = frame_system::BlockHash::<Runtime>::get(0);
		start_block(1, genesis_hash);
	});
	ext
}

/// The harness's constants are the runtime's.
fn check_constants() {
	assert_eq!(<Runtime as pallet_market::Config>::MinProviderStake::get(), PROVIDER_STAKE);
	assert_eq!(<Runtime as pallet_market::Config>::BidDeposit::get(), BID_DEPOSIT);
	assert_eq!(<Runtime as pallet_market::Config>::ViolationSlash::get(), VIOLATION_SLASH);
	assert_eq!(<Runtime as pallet_witness_pool::Config>::MinWitnessStake::get(), WITNESS_STAKE);
	assert_eq!(<Runtime as pallet_witness_pool::Config>::WitnessRewardUnit::get(), REWARD_UNIT);
	assert_eq!(<Runtime as pallet_witness_pool::Config>::ActivationDelay::get(), ACTIVATION_DELAY);
}

/// The BABE pre-digest and timestamp slot of block `number`.
fn slot_of(number: BlockNumber) -> u64 {
	GENESIS_SLOT + u64::from(number)
}

/// Start block `number`: initialize it (hooks `on_initialize`), apply the timestamp inherent
/// and note the inherents applied (`on_poll`).
fn start_block(number: BlockNumber, parent: H256) {
	let slot = slot_of(number);
	let pre_digest = PreDigest::SecondaryPlain(SecondaryPlainPreDigest {
		authority_index: 0,
		slot: slot.into(),
	});
	let digest = Digest { logs: vec![DigestItem::PreRuntime(BABE_ENGINE_ID, pre_digest.encode())] };
	let header = Header::new(number, H256::zero(), H256::zero(), parent, digest);
	Executive::initialize_block(&header);
	let timestamp =
		UncheckedExtrinsic::new_bare(RuntimeCall::Timestamp(pallet_timestamp::Call::set {
			now: slot * SLOT_DURATION,
		}));
	Executive::apply_extrinsic(timestamp)
		.expect("the timestamp inherent is valid")
		.expect("the timestamp inherent succeeds");
	Executive::inherents_applied();
}

/// Finish the current block (`on_idle`, `on_finalize`), record its events, check the
/// invariants and start the next one.
pub fn next_block() {
	let header = finish_block();
	start_block(*header.number() + 1, header.hash());
}

/// [`next_block`], and between the finished block and the next one (where a node enacts a
/// new runtime) the runtime-upgrade checks a `try-runtime` run makes against a live chain's
/// state: `Executive::try_runtime_upgrade` with every check — the single-block migrations and
/// every pallet's `on_runtime_upgrade` with their `pre_upgrade`/`post_upgrade`, on-chain
/// storage versions equal to the in-code ones, every pallet's `try_state`, and the entire
/// state decoded. Run twice: the second run must pass as well and change no storage (a
/// migration that is not idempotent, or storage left undecodable, fails the test).
pub fn next_block_checking_runtime_upgrade() {
	use frame_support::migrations::MultiStepMigrator;
	use frame_try_runtime::UpgradeCheckSelect;
	let header = finish_block();
	let state_version = sp_runtime::StateVersion::V1;
	let mut roots = Vec::new();
	for run in 1..=2 {
		let weight = Executive::try_runtime_upgrade(UpgradeCheckSelect::All)
			.unwrap_or_else(|e| panic!("runtime upgrade checks, run {run}: {e:?}"));
		assert!(weight.all_lte(defaas_runtime::configs::RuntimeBlockWeights::get().max_block));
		// The stepped migrations the upgrade started run to their end, as the next blocks
		// would run them (with their try-runtime pre/post checks); a completed one is recorded
		// and not run again.
		let mut steps = 0;
		while <defaas_runtime::MultiBlockMigrations as MultiStepMigrator>::ongoing() {
			<defaas_runtime::MultiBlockMigrations as MultiStepMigrator>::step();
			steps += 1;
			assert!(steps < 100, "run {run}: the stepped migrations end");
		}
		// (The upgrade's events go with the block; the next block starts without them.)
		System::reset_events();
		roots.push(sp_io::storage::root(state_version));
	}
	assert_eq!(roots[0], roots[1], "a second upgrade run changed storage");
	let last = frame_system::LastRuntimeUpgrade::<Runtime>::get().expect("recorded");
	assert_eq!(last.spec_version.0, defaas_runtime::VERSION.spec_version);
	start_block(*header.number() + 1, header.hash());
}

/// Finish the current block (`on_idle`, `on_finalize`), record its events and check the
/// invariants.
fn finish_block() -> Header {
	let header = Executive::finalize_block();
	let number = *header.number();
	// The finished block's events are still in `System::Events` (reset by the next block's
	// initialization): the checks see them as the current block's.
	let (every, forget) =
		CONTEXT.with(|c| (c.borrow().check_every.max(1), c.borrow().forget_events));
	if number.is_multiple_of(every) {
		check_invariants(number);
	}
	let events: Vec<RuntimeEvent> = System::events().into_iter().map(|r| r.event).collect();
	CONTEXT.with(|c| {
		let mut c = c.borrow_mut();
		for event in events {
			tally(&mut c, &event);
			if !forget {
				c.log.push((number, event));
			}
		}
	});
	header
}

/// Check the invariants only after every `n`-th block from now on (the simulation's long runs;
/// the tests check every block), and keep no events of finished blocks (`events()` then sees
/// only the current block's) when `forget_events`.
#[allow(dead_code)] // The flow tests check every block.
pub fn set_checks(n: BlockNumber, forget_events: bool) {
	CONTEXT.with(|c| {
		let mut c = c.borrow_mut();
		c.check_every = n;
		c.forget_events = forget_events;
	});
}

/// Finish the current block, then start block `next()` (at least the next one): `next` sees
/// the finished block's state and events (its `on_idle` and `on_finalize` included). A block
/// beyond the next one is started directly: the blocks between are never built and their hooks
/// never run — only for drivers that know nothing is due in them (the simulation's idle
/// stretches: no round step, deadline or era change).
#[allow(dead_code)] // The flow tests build every block.
pub fn next_block_at(next: impl FnOnce() -> BlockNumber) {
	let header = finish_block();
	let n = next().max(*header.number() + 1);
	// `frame_system` takes only the successor of the last block (its documented way around
	// this in tests).
	System::set_block_number(n - 1);
	start_block(n, header.hash());
}

/// Produce blocks until block `n` is the current one.
pub fn run_to(n: BlockNumber) {
	assert!(now() <= n, "block {n} is in the past (now {})", now());
	while now() < n {
		next_block();
	}
}

/// The current block number.
pub fn now() -> BlockNumber {
	System::block_number()
}

/// Update the FST ledger with one event.
fn tally(c: &mut Context, event: &RuntimeEvent) {
	match event {
		RuntimeEvent::FaasToken(pallet_faas_token::Event::RewardMinted { amount, .. }) => {
			c.minted += amount
		},
		RuntimeEvent::FaasToken(pallet_faas_token::Event::Slashed {
			amount, burned: true, ..
		}) => c.burned += amount,
		// Fees (paid in FST, or in an asset and swapped to FST through its pool) are burned:
		// their credit is dropped, which lowers the issuance.
		RuntimeEvent::Balances(pallet_balances::Event::BurnedDebt { amount }) => c.fees += amount,
		// Burned by `Balances::burn`, or dust lost when a transfer reaps an account.
		RuntimeEvent::Balances(
			pallet_balances::Event::Burned { amount, .. }
			| pallet_balances::Event::DustLost { amount, .. },
		) => c.burned += amount,
		_ => {},
	}
}

/// Every event so far with its block: the finished blocks' and the current block's.
pub fn events() -> Vec<(BlockNumber, RuntimeEvent)> {
	let mut all = CONTEXT.with(|c| c.borrow().log.clone());
	let n = now();
	all.extend(System::events().into_iter().map(|r| (n, r.event)));
	all
}

/// The market's events so far.
pub fn market_events() -> Vec<(BlockNumber, pallet_market::Event<Runtime>)> {
	events()
		.into_iter()
		.filter_map(|(n, e)| match e {
			RuntimeEvent::Market(e) => Some((n, e)),
			_ => None,
		})
		.collect()
}

/// The witness pool's events so far.
pub fn pool_events() -> Vec<(BlockNumber, pallet_witness_pool::Event<Runtime>)> {
	events()
		.into_iter()
		.filter_map(|(n, e)| match e {
			RuntimeEvent::WitnessPool(e) => Some((n, e)),
			_ => None,
		})
		.collect()
}

/// The token pallet's events so far.
pub fn token_events() -> Vec<(BlockNumber, pallet_faas_token::Event<Runtime>)> {
	events()
		.into_iter()
		.filter_map(|(n, e)| match e {
			RuntimeEvent::FaasToken(e) => Some((n, e)),
			_ => None,
		})
		.collect()
}

/// The block in which the market emitted exactly `event` (panics if it did not, or twice).
pub fn market_event_block(event: &pallet_market::Event<Runtime>) -> BlockNumber {
	let blocks: Vec<BlockNumber> =
		market_events().into_iter().filter(|(_, e)| e == event).map(|(n, _)| n).collect();
	assert_eq!(blocks.len(), 1, "expected the market event {event:?} once: {:#?}", market_events());
	blocks[0]
}

/// The block in which the witness pool emitted exactly `event` (once).
pub fn pool_event_block(event: &pallet_witness_pool::Event<Runtime>) -> BlockNumber {
	let blocks: Vec<BlockNumber> =
		pool_events().into_iter().filter(|(_, e)| e == event).map(|(n, _)| n).collect();
	assert_eq!(blocks.len(), 1, "expected the pool event {event:?} once");
	blocks[0]
}

/// The token events emitted in block `n`.
pub fn token_events_in(n: BlockNumber) -> Vec<pallet_faas_token::Event<Runtime>> {
	token_events().into_iter().filter(|(b, _)| *b == n).map(|(_, e)| e).collect()
}

// ---------------------------------------------------------------------------------------------
// Money
// ---------------------------------------------------------------------------------------------

/// The account of a well-known dev key.
pub fn acc(who: Who) -> AccountId {
	who.to_account_id()
}

/// Free FST of `who`.
pub fn free(who: Who) -> Balance {
	<Balances as Inspect<AccountId>>::balance(&acc(who))
}

/// FST `who` holds for the market's `reason`.
pub fn held(who: Who, reason: MarketHold) -> Balance {
	held_for(&acc(who), reason.into())
}

/// FST `who` holds as witness stake.
pub fn witness_held(who: Who) -> Balance {
	held_for(&acc(who), pallet_witness_pool::HoldReason::WitnessStake.into())
}

fn held_for(who: &AccountId, reason: RuntimeHoldReason) -> Balance {
	<Balances as InspectHold<AccountId>>::balance_on_hold(&reason, who)
}

/// Everything `who` holds, for every reason.
pub fn total_held(who: Who) -> Balance {
	<Balances as InspectHold<AccountId>>::total_balance_on_hold(&acc(who))
}

/// Total issuance of FST.
pub fn issuance() -> Balance {
	<Balances as Inspect<AccountId>>::total_issuance()
}

/// (minted rewards, burned slashes, burned fees) since genesis, the current block included.
pub fn ledger() -> (Balance, Balance, Balance) {
	let mut c = CONTEXT.with(|c| {
		let c = c.borrow();
		Context {
			genesis_issuance: c.genesis_issuance,
			minted: c.minted,
			burned: c.burned,
			fees: c.fees,
			..Default::default()
		}
	});
	for record in System::events() {
		tally(&mut c, &record.event);
	}
	(c.minted, c.burned, c.fees)
}

/// Conservation (§10 invariant 2): issuance moved only by minted rewards, burned slashes and
/// burned fees.
pub fn assert_conservation() {
	let (minted, burned, fees) = ledger();
	let genesis = CONTEXT.with(|c| c.borrow().genesis_issuance);
	assert_eq!(issuance() + burned + fees, genesis + minted, "FST created or destroyed");
	let accounts: Balance = frame_system::Account::<Runtime>::iter_values()
		.map(|account| account.data.free + account.data.reserved)
		.sum();
	assert_eq!(accounts, issuance(), "total issuance == the sum of every account's FST");
}

/// The dev accounts, each endowed with [`DEV_ENDOWMENT`] at genesis.
pub fn dev_accounts() -> Vec<Who> {
	Who::well_known().collect()
}

/// Total issuance at genesis (the twelve endowed dev accounts).
pub fn genesis_issuance() -> Balance {
	CONTEXT.with(|c| c.borrow().genesis_issuance)
}

/// What every dev account had at genesis.
pub const ENDOWMENT: Balance = DEV_ENDOWMENT;

/// What Alice (the sudo account) had free after genesis: the endowment less the FST she put
/// into the genesis FST/TUSD pool.
pub const ALICE_ENDOWMENT: Balance =
	DEV_ENDOWMENT - defaas_runtime::genesis_config_presets::DEV_POOL_FST;

// ---------------------------------------------------------------------------------------------
// Transactions
// ---------------------------------------------------------------------------------------------

/// Dispatch `call` with `who`'s signed origin (no fee), as the block would after the checks.
pub fn call(who: Who, call: impl Into<RuntimeCall>) -> DispatchResult {
	call_as(&acc(who), call)
}

/// [`call`] from any account.
pub fn call_as(account: &AccountId, call: impl Into<RuntimeCall>) -> DispatchResult {
	let call: RuntimeCall = call.into();
	call.dispatch(RuntimeOrigin::signed(account.clone())).map(|_| ()).map_err(|e| e.error)
}

/// [`call`] that must succeed.
#[track_caller]
pub fn ok(who: Who, c: impl Into<RuntimeCall>) {
	let c: RuntimeCall = c.into();
	if let Err(e) = call(who, c.clone()) {
		panic!("{who:?}: {c:?} failed at block {}: {e:?}", now());
	}
}

/// [`call`] that must fail with `error`, changing nothing.
#[track_caller]
pub fn fails(who: Who, c: impl Into<RuntimeCall>, error: impl Into<DispatchError>) {
	let root = sp_io::storage::root(sp_runtime::StateVersion::V1);
	assert_eq!(call(who, c), Err(error.into()));
	assert_eq!(root, sp_io::storage::root(sp_runtime::StateVersion::V1), "a failed call wrote");
}

/// `call` signed by `who` with its next nonce, immortal, paying its fee in `fee_asset` (`None`:
/// FST).
fn signed_extrinsic(
	who: Who,
	call: RuntimeCall,
	fee_asset: Option<AssetKind>,
) -> UncheckedExtrinsic {
	let account = acc(who);
	let nonce = System::account_nonce(&account);
	let extension: TxExtension = defaas_runtime::tx_extension_paying_in(
		sp_runtime::generic::Era::Immortal,
		nonce,
		0,
		fee_asset,
	);
	let payload = SignedPayload::new(call.clone(), extension.clone()).expect("implicit data");
	let signature = payload.using_encoded(|bytes| who.sign(bytes));
	UncheckedExtrinsic::new_signed(
		call,
		MultiAddress::Id(account),
		MultiSignature::Sr25519(signature),
		extension,
	)
}

/// Sign `call` as `who` (next nonce, immortal) and apply it as a real transaction through
/// `Executive::apply_extrinsic`: signature, nonce and weight checks, fee withdrawal. Returns
/// the dispatch result and the fee paid, which is checked against the `TransactionFeePaid`
/// event, the quoted fee and `who`'s balance.
pub fn submit(who: Who, call: impl Into<RuntimeCall>) -> (DispatchResult, Balance) {
	let account = acc(who);
	let nonce = System::account_nonce(&account);
	let xt = signed_extrinsic(who, call.into(), None);
	let len = xt.encoded_size() as u32;
	let quoted =
		pallet_transaction_payment::Pallet::<Runtime>::query_info(xt.clone(), len).partial_fee;
	let events_before = System::events().len();
	let total_before = free(who) + total_held(who);
	let result = Executive::apply_extrinsic(xt).expect("the transaction is valid");
	assert_eq!(System::account_nonce(&account), nonce + 1, "the nonce moved on");
	let fee = System::events()[events_before..]
		.iter()
		.find_map(|r| match &r.event {
			RuntimeEvent::TransactionPayment(
				pallet_transaction_payment::Event::TransactionFeePaid {
					who: payer,
					actual_fee,
					tip,
				},
			) if *payer == account => {
				assert_eq!(*tip, 0);
				Some(*actual_fee)
			},
			_ => None,
		})
		.expect("TransactionFeePaid");
	assert!(fee > 0 && fee <= quoted, "fee {fee} charged, {quoted} quoted");
	if result.is_err() {
		assert_eq!(free(who) + total_held(who), total_before - fee, "only the fee was taken");
	}
	(result, fee)
}

/// [`submit`] paying the fee in `asset` (swapped to FST through its pool): returns the dispatch
/// result and the fee paid in the asset, checked against the `AssetTxFeePaid` event, the
/// pool's quote of the FST fee and `who`'s balance of the asset; `who`'s FST is untouched.
pub fn submit_paying_in(
	who: Who,
	call: impl Into<RuntimeCall>,
	asset: AssetKind,
) -> (DispatchResult, Balance) {
	let account = acc(who);
	let nonce = System::account_nonce(&account);
	let xt = signed_extrinsic(who, call.into(), Some(asset.clone()));
	let len = xt.encoded_size() as u32;
	let quoted_fst =
		pallet_transaction_payment::Pallet::<Runtime>::query_info(xt.clone(), len).partial_fee;
	let quoted = pallet_asset_conversion::Pallet::<Runtime>::quote_price_tokens_for_exact_tokens(
		asset.clone(),
		AssetKind::Native,
		quoted_fst,
		true,
	)
	.expect("the asset has an FST pool");
	let events_before = System::events().len();
	let fst_before = free(who) + total_held(who);
	let asset_before = asset_total(&asset, who);
	let result = Executive::apply_extrinsic(xt).expect("the transaction is valid");
	assert_eq!(System::account_nonce(&account), nonce + 1, "the nonce moved on");
	let fee = System::events()[events_before..]
		.iter()
		.find_map(|r| match &r.event {
			RuntimeEvent::AssetConversionTxPayment(
				pallet_asset_conversion_tx_payment::Event::AssetTxFeePaid {
					who: payer,
					actual_fee,
					tip,
					asset_id,
				},
			) if *payer == account => {
				assert_eq!((*tip, asset_id), (0, &asset));
				Some(*actual_fee)
			},
			_ => None,
		})
		.expect("AssetTxFeePaid");
	assert!(fee > 0 && fee <= quoted, "fee {fee} charged, {quoted} quoted");
	assert_eq!(free(who) + total_held(who), fst_before, "no FST moved for the fee");
	if result.is_err() {
		assert_eq!(asset_total(&asset, who), asset_before - fee, "only the fee was taken");
	}
	(result, fee)
}

/// What `who` has of `asset`, held or not.
pub fn asset_total(asset: &AssetKind, who: Who) -> Balance {
	<defaas_runtime::configs::NativeAndAssets as frame_support::traits::fungibles::Inspect<
		AccountId,
	>>::total_balance(asset.clone(), &acc(who))
}

/// What `who` has of `asset`, holds excluded.
pub fn asset_free(asset: &AssetKind, who: Who) -> Balance {
	<defaas_runtime::configs::NativeAndAssets as frame_support::traits::fungibles::Inspect<
		AccountId,
	>>::balance(asset.clone(), &acc(who))
}

// ---------------------------------------------------------------------------------------------
// Market
// ---------------------------------------------------------------------------------------------

/// The stored order.
pub fn order(id: OrderId) -> OrderRecordOf<Runtime> {
	pallet_market::Orders::<Runtime>::get(id).expect("the order exists")
}

/// The stored state of an order.
pub fn state(id: OrderId) -> pallet_market::OrderStateOf<Runtime> {
	order(id).state
}

/// Register `who` as a provider of level 0 (minimum stake, its own account as heartbeat key)
/// and send a heartbeat.
pub fn register_provider(who: Who) {
	ok(
		who,
		MarketCall::register_provider {
			stake: PROVIDER_STAKE,
			endpoint: ENDPOINT.to_vec().try_into().expect("short"),
			levels: vec![0].try_into().expect("one level"),
			heartbeat_key: acc(who),
		},
	);
	heartbeat(who);
}

/// `who`'s signed heartbeat (capacity 4 at level 0).
pub fn heartbeat(who: Who) {
	ok(who, MarketCall::heartbeat { capacity: vec![(0, 4)].try_into().expect("one") });
}

/// `create_order` of level 0 with the given terms and no reputation floor.
pub fn create_order_call(
	periods: u32,
	max_unit_price: Balance,
	committee_size: u32,
	bid_window: BlockNumber,
	sponsor: Option<Who>,
) -> pallet_market::Call<Runtime> {
	MarketCall::create_order {
		level: 0,
		periods,
		max_unit_price,
		committee_size,
		bid_window,
		package_hash: PACKAGE,
		min_reputation: sp_runtime::Permill::zero(),
		sponsor: sponsor.map(acc),
		asset: pallet_market::NativeOrWithId::Native,
	}
}

/// [`create_order_call`] without sponsor, paying in `asset`.
pub fn create_order_call_in(
	asset: AssetKind,
	periods: u32,
	max_unit_price: Balance,
	committee_size: u32,
	bid_window: BlockNumber,
) -> pallet_market::Call<Runtime> {
	let mut call = create_order_call(periods, max_unit_price, committee_size, bid_window, None);
	if let MarketCall::create_order { asset: order_asset, .. } = &mut call {
		*order_asset = asset;
	}
	call
}

/// `customer` creates an order (dispatched, no fee) and its id is returned.
pub fn create_order(
	customer: Who,
	periods: u32,
	max_unit_price: Balance,
	committee_size: u32,
	bid_window: BlockNumber,
) -> OrderId {
	let id = pallet_market::NextOrderId::<Runtime>::get();
	ok(customer, create_order_call(periods, max_unit_price, committee_size, bid_window, None));
	id
}

/// The salt of `who`'s bid on `order_id`.
pub fn bid_salt(who: Who, order_id: OrderId) -> [u8; 32] {
	sp_io::hashing::blake2_256(&(b"bid", order_id, acc(who)).encode())
}

/// `who` commits a sealed bid of `price` (commitment of `defaas_primitives`).
pub fn commit_bid(who: Who, order_id: OrderId, price: Balance) {
	let commitment = defaas_primitives::commitments::bid_commitment(
		order_id,
		&price,
		&bid_salt(who, order_id),
		&acc(who),
	);
	assert_eq!(
		commitment,
		pallet_market::Pallet::<Runtime>::bid_commitment(
			order_id,
			price,
			&bid_salt(who, order_id),
			&acc(who)
		),
		"the shared primitive is the pallet's commitment"
	);
	ok(who, MarketCall::commit_bid { order_id, commitment });
}

/// `who` reveals its bid of `price`.
pub fn reveal_bid(who: Who, order_id: OrderId, price: Balance) {
	ok(who, MarketCall::reveal_bid { order_id, price, salt: bid_salt(who, order_id) });
}

/// End of the bid window of an order in Bidding.
pub fn bidding_ends(id: OrderId) -> BlockNumber {
	match state(id) {
		OrderState::Bidding { bidding_ends } => bidding_ends,
		other => panic!("order {id} is not bidding: {other:?}"),
	}
}

/// `(candidate, price, confirm_until)` of an order in Confirming.
pub fn confirming(id: OrderId) -> (AccountId, Balance, BlockNumber) {
	match state(id) {
		OrderState::Confirming { candidate, price, confirm_until } => {
			(candidate, price, confirm_until)
		},
		other => panic!("order {id} is not confirming: {other:?}"),
	}
}

/// A provider's stored record.
pub fn provider(who: Who) -> pallet_market::ProviderRecordOf<Runtime> {
	pallet_market::Providers::<Runtime>::get(acc(who)).expect("a provider")
}

// ---------------------------------------------------------------------------------------------
// Witnesses, rounds, reports
// ---------------------------------------------------------------------------------------------

/// Register `who` as a witness with the minimum stake. With `keystore`, its VRF key is a fresh
/// `wtns` key generated in the test keystore (`//Name//wtns`), as a witness node holds it;
/// otherwise a key nobody here can sign with (the witness can only be seeded).
pub fn register_witness(who: Who, keystore: bool) -> VrfKey {
	let seed = format!("{}//wtns", who.to_seed());
	let key = if keystore {
		sp_io::crypto::sr25519_generate(WITNESS_KEY_TYPE, Some(seed.into_bytes()))
	} else {
		use sp_core::Pair;
		sp_core::sr25519::Pair::from_string(&seed, None).expect("seed").public()
	};
	ok(who, PoolCall::register_witness { stake: WITNESS_STAKE, vrf_key: key });
	key
}

/// A witness's stored record.
pub fn witness(who: Who) -> pallet_witness_pool::WitnessRecordOf<Runtime> {
	pallet_witness_pool::Witnesses::<Runtime>::get(acc(who)).expect("a witness")
}

/// The stored round, if it exists.
pub fn round(order_id: OrderId, round: u32) -> Option<RoundRecordOf<Runtime>> {
	pallet_witness_pool::Rounds::<Runtime>::get(order_id, round)
}

/// What a committee member does with its report.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Report {
	/// Never commits.
	Silent,
	/// Commits `violated` but never reveals.
	Unrevealed(bool),
	/// Commits and reveals `violated`.
	Reveal(bool),
}

impl Report {
	/// The revealed report (`None`: not committed or not revealed).
	pub fn revealed(self) -> Option<bool> {
		match self {
			Report::Reveal(violated) => Some(violated),
			_ => None,
		}
	}
}

/// What the witnesses do in one round: who tries to join with its keystore VRF signature,
/// and each member's report by its position in the committee.
pub struct RoundPlan {
	/// Witnesses whose nodes sign the seed and join if their output is below the threshold.
	pub joiners: Vec<Who>,
	/// The report of the member at a position of the selected committee.
	pub report: Box<dyn Fn(usize) -> Report>,
}

impl RoundPlan {
	/// `joiners` join; every member reports `report`.
	pub fn all(joiners: &[Who], report: Report) -> Self {
		Self { joiners: joiners.to_vec(), report: Box::new(move |_| report) }
	}
}

/// What happened in a round, as the driver saw it.
#[derive(Clone, Debug, Default)]
pub struct RoundLog {
	/// Block in which the round opened.
	pub opened_at: BlockNumber,
	/// Join window end, commit window end, reveal window end (= settle block).
	pub join_end: BlockNumber,
	pub commit_end: BlockNumber,
	pub reveal_end: BlockNumber,
	/// The round's seed and VRF threshold.
	pub seed: [u8; 32],
	pub threshold: u128,
	/// Every join attempt: the witness, its VRF output and the result of `join_committee`.
	pub joins: Vec<(Who, u128, DispatchResult)>,
	/// The committee selected at the end of the join window: member and VRF output (`None`:
	/// seeded).
	pub members: Vec<(Who, Option<u128>)>,
	/// What every member did.
	pub reports: Vec<(Who, Report)>,
}

/// Drives the witnesses of one lease: in every block it joins, commits and reveals for them
/// as their nodes would, following one [`RoundPlan`] per round.
pub struct LeaseDriver {
	pub order_id: OrderId,
	plans: Vec<RoundPlan>,
	/// Every registered witness the driver may meet.
	witnesses: Vec<Who>,
	pub logs: BTreeMap<u32, RoundLog>,
	done: BTreeSet<(u32, u8)>,
}

/// The salt of `who`'s report in a round.
pub fn report_salt(order_id: OrderId, round: u32, who: Who) -> [u8; 32] {
	sp_io::hashing::blake2_256(&(b"report", order_id, round, acc(who)).encode())
}

impl LeaseDriver {
	/// A driver of `order_id` with one plan per round and the registered witnesses.
	pub fn new(order_id: OrderId, plans: Vec<RoundPlan>, witnesses: &[Who]) -> Self {
		Self {
			order_id,
			plans,
			witnesses: witnesses.to_vec(),
			logs: BTreeMap::new(),
			done: BTreeSet::new(),
		}
	}

	fn who(&self, account: &AccountId) -> Who {
		*self.witnesses.iter().find(|w| acc(**w) == *account).expect("a known witness")
	}

	/// Act for the witnesses in the current block.
	pub fn act(&mut self) {
		let n = now();
		for r in 0..self.plans.len() as u32 {
			let Some(record) = round(self.order_id, r) else { continue };
			let joining = record.phase == RoundPhase::Joining && n < record.join_end;
			let reporting = record.phase == RoundPhase::Reporting;
			if joining && self.done.insert((r, 0)) {
				self.join(r, &record);
			} else if reporting && n < record.commit_end && self.done.insert((r, 1)) {
				self.commit(r, &record);
			} else if reporting
				&& record.commit_end <= n
				&& n < record.reveal_end
				&& self.done.insert((r, 2))
			{
				self.reveal(r);
			}
		}
	}

	/// Every joiner signs the seed with its keystore key through the `witness_vrf` host
	/// function, as its node's worker does, and joins if the output is below the threshold.
	fn join(&mut self, r: u32, record: &RoundRecordOf<Runtime>) {
		let log = self.logs.entry(r).or_default();
		log.opened_at = record.opened_at;
		log.join_end = record.join_end;
		log.commit_end = record.commit_end;
		log.reveal_end = record.reveal_end;
		log.seed = record.seed;
		log.threshold = record.threshold;
		for who in self.plans[r as usize].joiners.clone() {
			let key = witness(who).vrf_key;
			let signature = vrf::witness_vrf::sign(&key, record.seed)
				.unwrap_or_else(|| panic!("{who:?}'s wtns key is in the keystore"));
			assert_eq!(signature.encode().len(), 96, "SCALE of (pre_output, proof)");
			let output = vrf::verify(&key, &record.seed, &signature).expect("a valid VRF");
			if output >= record.threshold {
				continue;
			}
			let result = call(
				who,
				PoolCall::join_committee {
					order_id: self.order_id,
					round: r,
					vrf_signature: signature,
				},
			);
			log.joins.push((who, output, result));
		}
	}

	/// Record the committee and commit the members' reports.
	fn commit(&mut self, r: u32, record: &RoundRecordOf<Runtime>) {
		let members: Vec<(Who, Option<u128>)> =
			record.members.iter().map(|m| (self.who(&m.witness), m.output)).collect();
		let plan = &self.plans[r as usize];
		let reports: Vec<(Who, Report)> =
			members.iter().enumerate().map(|(i, (who, _))| (*who, (plan.report)(i))).collect();
		for (who, report) in &reports {
			let violated = match report {
				Report::Silent => continue,
				Report::Unrevealed(v) | Report::Reveal(v) => *v,
			};
			let salt = report_salt(self.order_id, r, *who);
			let commitment = defaas_primitives::commitments::report_commitment(
				self.order_id,
				r,
				violated,
				&salt,
				&acc(*who),
			);
			assert_eq!(
				commitment,
				pallet_witness_pool::Pallet::<Runtime>::report_commitment(
					self.order_id,
					r,
					violated,
					salt,
					&acc(*who)
				)
			);
			ok(*who, PoolCall::commit_report { order_id: self.order_id, round: r, commitment });
		}
		let log = self.logs.entry(r).or_default();
		log.members = members;
		log.reports = reports;
	}

	/// Reveal the reports of the members that reveal.
	fn reveal(&mut self, r: u32) {
		let reports = self.logs.get(&r).expect("committed before").reports.clone();
		for (who, report) in reports {
			if let Report::Reveal(violated) = report {
				ok(
					who,
					PoolCall::reveal_report {
						order_id: self.order_id,
						round: r,
						violated,
						salt: report_salt(self.order_id, r, who),
					},
				);
			}
		}
	}

	/// Whether round `r` was settled or abandoned (in this block or before).
	pub fn finished(&self, r: u32) -> bool {
		pool_events().iter().any(|(_, e)| match e {
			pallet_witness_pool::Event::RoundSettled { order_id, round, .. }
			| pallet_witness_pool::Event::RoundLapsed { order_id, round, .. }
			| pallet_witness_pool::Event::RoundAbandoned { order_id, round } => {
				*order_id == self.order_id && *round == r
			},
			_ => false,
		})
	}

	/// Act and produce blocks until round `r` is settled, lapsed or abandoned (at most `max`
	/// blocks).
	pub fn run_until_finished(&mut self, r: u32, max: BlockNumber) {
		let limit = now() + max;
		loop {
			self.act();
			if self.finished(r) {
				return;
			}
			assert!(now() < limit, "round {r} not finished within {max} blocks");
			next_block();
		}
	}

	/// Act and produce blocks until block `n` is the current one (acting in it too).
	pub fn run_to(&mut self, n: BlockNumber) {
		loop {
			self.act();
			if now() >= n {
				return;
			}
			next_block();
		}
	}

	/// The log of round `r`.
	pub fn log(&self, r: u32) -> &RoundLog {
		self.logs.get(&r).expect("the round was driven")
	}
}

// ---------------------------------------------------------------------------------------------
// Invariants (docs/architecture.md §10)
// ---------------------------------------------------------------------------------------------

/// Check the invariants after block `n`: holds match the pallets' records (1), conservation
/// (2), well-formed orders and provider counters (3), clean committees and seat counts (4),
/// at most three rounds per lease (5). With `try-runtime`, every pallet's `try_state` too.
pub fn check_invariants(n: BlockNumber) {
	#[cfg(feature = "try-runtime")]
	{
		use frame_support::traits::{TryState, TryStateSelect};
		defaas_runtime::AllPalletsWithSystem::try_state(n, TryStateSelect::All).expect("try_state");
	}
	let context = |what: &str| format!("after block {n}: {what}");

	// Invariant 1 (market): per account and reason, currency hold == records.
	let mut stakes: BTreeMap<AccountId, Balance> = BTreeMap::new();
	let mut prepays: BTreeMap<(AssetKind, AccountId), Balance> = BTreeMap::new();
	let mut deposits: BTreeMap<AccountId, Balance> = BTreeMap::new();
	let mut open_bids: BTreeMap<AccountId, u32> = BTreeMap::new();
	let mut active_leases: BTreeMap<AccountId, u32> = BTreeMap::new();
	for (who, provider) in pallet_market::Providers::<Runtime>::iter() {
		stakes.insert(who, provider.stake);
	}
	for (id, order) in pallet_market::Orders::<Runtime>::iter() {
		assert!(order.paid + order.refunded <= order.prepay, "{}", context("paid + refunded"));
		*prepays.entry((order.asset.clone(), order.payer.clone())).or_default() +=
			order.outstanding();
		let bids = pallet_market::Bids::<Runtime>::get(id);
		if order.state.is_terminal() {
			assert_eq!(order.outstanding(), 0, "{}", context("an ended order holds nothing"));
			assert!(bids.is_empty(), "{}", context("an ended order has no bids"));
		}
		for bid in bids.iter() {
			*deposits.entry(bid.provider.clone()).or_default() += bid.deposit;
			*open_bids.entry(bid.provider.clone()).or_default() += 1;
		}
		if let OrderState::Confirming { candidate, .. } = &order.state {
			assert_eq!(bids.first().map(|b| &b.provider), Some(candidate), "{}", context("rank"));
		}
		if order.state.is_handoff() || matches!(order.state, OrderState::Fulfilling { .. }) {
			let lease = order.lease.as_ref().expect("a lease");
			assert!(pallet_market::Providers::<Runtime>::contains_key(&lease.provider));
			*active_leases.entry(lease.provider.clone()).or_default() += 1;
			if let OrderState::Fulfilling { round, .. } = order.state {
				assert!(lease.start.is_some(), "{}", context("a fulfilled lease started"));
				assert_eq!(lease.settled, round, "{}", context("settled == round"));
			}
		}
		assert_eq!(
			pallet_market::OpenOrders::<Runtime>::contains_key(order.level, id),
			order.state.is_auction(),
			"{}",
			context("open-order index")
		);
	}
	for who in frame_system::Account::<Runtime>::iter_keys() {
		for (reason, records) in
			[(MarketHold::ProviderStake, &stakes), (MarketHold::BidDeposit, &deposits)]
		{
			let record = records.get(&who).copied().unwrap_or(0);
			let hold = held_for(&who, reason.into());
			assert_eq!(hold, record, "{}", context(&format!("{reason:?}")));
		}
		// Prepays per payment asset (FST, the stable test asset).
		for asset in [
			AssetKind::Native,
			AssetKind::WithId(defaas_runtime::genesis_config_presets::DEV_STABLE_ASSET),
		] {
			let record = prepays.get(&(asset.clone(), who.clone())).copied().unwrap_or(0);
			let hold = <defaas_runtime::configs::NativeAndAssetsWithHolds as frame_support::traits::fungibles::InspectHold<AccountId>>::balance_on_hold(
				asset.clone(),
				&RuntimeHoldReason::from(MarketHold::OrderPrepay),
				&who,
			);
			assert_eq!(hold, record, "{}", context(&format!("prepay in {asset:?}")));
		}
		if let Some(provider) = pallet_market::Providers::<Runtime>::get(&who) {
			assert_eq!(provider.open_bids, open_bids.get(&who).copied().unwrap_or(0));
			assert_eq!(provider.active_leases, active_leases.get(&who).copied().unwrap_or(0));
		}
	}

	// Invariants 1 and 4 (witness pool): stake == hold; seats == unsettled committees.
	let mut seats: BTreeMap<AccountId, u32> = BTreeMap::new();
	let mut rounds_per_lease: BTreeMap<OrderId, u32> = BTreeMap::new();
	for (order_id, r, record) in pallet_witness_pool::Rounds::<Runtime>::iter() {
		*rounds_per_lease.entry(order_id).or_default() += 1;
		if !record.phase.is_unsettled() {
			continue;
		}
		let lease = pallet_witness_pool::Leases::<Runtime>::get(order_id).expect("monitored");
		assert!(record.members.len() as u32 <= lease.committee_size, "{}", context("size"));
		let mut unique = BTreeSet::new();
		for member in record.members.iter() {
			assert!(unique.insert(member.witness.clone()), "{}", context("unique members"));
			assert!(member.witness != lease.provider && member.witness != lease.customer);
			let w = pallet_witness_pool::Witnesses::<Runtime>::get(&member.witness)
				.expect("members are registered");
			assert!(w.active_from <= record.opened_at, "{}", context("activated members"));
			*seats.entry(member.witness.clone()).or_default() += 1;
		}
		let outputs: Vec<u128> = record.members.iter().filter_map(|m| m.output).collect();
		assert!(outputs.windows(2).all(|w| w[0] <= w[1]), "{}", context("sorted outputs"));
		assert!(outputs.iter().all(|o| *o < record.threshold), "{}", context("below threshold"));
		let _ = r;
	}
	assert!(rounds_per_lease.values().all(|count| *count <= 3), "{}", context("three rounds"));
	for (who, w) in pallet_witness_pool::Witnesses::<Runtime>::iter() {
		let hold = held_for(&who, pallet_witness_pool::HoldReason::WitnessStake.into());
		assert_eq!(hold, w.stake, "{}", context("witness stake == hold"));
		assert_eq!(w.seats, seats.get(&who).copied().unwrap_or(0), "{}", context("seats"));
	}

	// Invariant 2: conservation.
	assert_conservation();
}
