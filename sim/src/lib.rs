//! # DeFaaS economic simulation
//!
//! Agents act on the real `defaas_runtime::Runtime` in `TestExternalities`, on the
//! `development` preset's genesis with blocks built the way the node builds them (the runtime
//! flow tests' harness, `runtime/tests/flows/harness.rs`, shared, not copied). The pallets'
//! own code runs the auctions, draws the VRF committees, computes the verdicts, pays the
//! periods, mints the witness rewards under the era budget and slashes; the simulation adds
//! only what the agents decide and the passage of time (blocks):
//!
//! - **customers** keep one order each running: when it ends they order again (a level drawn
//!   at random, the committee size of the run);
//! - **providers** heartbeat, bid their cost plus a random margin in every auction, reveal,
//!   confirm and deploy what they win. Each serves a period well or not by its kind: honest
//!   (fails with `fail_honest`), flaky (`fail_flaky`) or cheating (`fail_cheating`; cheaters
//!   may bribe the colluding witnesses in their committees);
//! - **witnesses** sign every round's seed with their keystore VRF key and join when below the
//!   threshold (as their nodes' workers do), then report by their strategy
//!   ([`Strategy`]).
//!
//! [`simulate`] runs one seeded simulation and returns its [`Outcome`]; [`sweep`] runs Monte
//! Carlo sweeps over parameter grids on all cores; [`plot`] draws the PNG figures.

// Simulation code (not runtime code): its assertions are the harness's checks of the chain.
#![allow(
	clippy::unwrap_used,
	clippy::expect_used,
	clippy::panic,
	clippy::indexing_slicing,
	clippy::arithmetic_side_effects,
	clippy::unreachable
)]

#[path = "../../runtime/tests/flows/harness.rs"]
#[allow(dead_code)]
mod harness;

pub mod plot;
pub mod report;
pub mod sweep;

use codec::Encode;
use defaas_runtime::{AccountId, Balance, BlockNumber, Runtime, RuntimeCall, WITNESS_KEY_TYPE};
use frame_support::traits::fungible::{Inspect, InspectHold};
use pallet_market::{OrderId, OrderState};
use pallet_witness_pool::{vrf, RoundPhase};
use rand::{rngs::StdRng, Rng, SeedableRng};
use sp_core::Pair;
use sp_runtime::Perbill;
use std::collections::{BTreeMap, BTreeSet};

pub use harness::Timings;

type MarketCall = pallet_market::Call<Runtime>;
type PoolCall = pallet_witness_pool::Call<Runtime>;

/// One FST in plancks.
pub const FST: Balance = defaas_runtime::FST;

/// The runtime's payoff unit (`WitnessRewardUnit`; the harness checks it against the runtime
/// whenever it builds a chain).
pub use harness::REWARD_UNIT;

/// What a witness does with its seat in a committee.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Strategy {
	/// Probes (at `probe_cost` per round) and reports what it saw.
	Honest,
	/// Never probes; always reports "no violation".
	Lazy,
	/// Joins but never commits (a dead or careless node).
	Silent,
	/// Never probes; always reports a violation.
	AlwaysReport,
	/// A member of the cartel of the cheating providers. Honest unless one of two things pays:
	/// a cheating provider's bribe of at least `reservation` to cover up its violation (the
	/// provider buys only members enough to flip the verdict), or — when the cartel holds a
	/// majority of the committee of another provider's lease — a false accusation (+10 units
	/// each instead of +1, and the competitor slashed).
	Colluding,
}

impl Strategy {
	/// Every strategy, in the order of the outputs' columns.
	pub const ALL: [Strategy; 5] = [
		Strategy::Honest,
		Strategy::Lazy,
		Strategy::Silent,
		Strategy::AlwaysReport,
		Strategy::Colluding,
	];

	/// Its name in CSV and plots.
	pub fn name(self) -> &'static str {
		match self {
			Strategy::Honest => "honest",
			Strategy::Lazy => "lazy",
			Strategy::Silent => "silent",
			Strategy::AlwaysReport => "always-report",
			Strategy::Colluding => "colluding",
		}
	}

	/// Whether the witness pays the probe cost in a round.
	fn probes(self) -> bool {
		matches!(self, Strategy::Honest | Strategy::Colluding)
	}
}

/// How a provider serves its leases.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
	/// Fails a period with probability `fail_honest`.
	Honest,
	/// Fails with `fail_flaky`.
	Flaky,
	/// Fails with `fail_cheating` (serves less than it sold) and bids lower; may bribe.
	Cheating,
}

/// The parameters of one simulation. [`Params::default`] is the shipped runtime's economy with
/// a small market: what the other parameters are varied from.
#[derive(Clone, Debug)]
pub struct Params {
	/// The chain's time parameters: `Dev` (20-block billing periods; the sweeps) or `Production`
	/// (hour-long periods of 1,200 blocks).
	pub timings: Timings,
	/// Blocks to simulate after the witnesses become active.
	pub blocks: BlockNumber,
	/// Registered witnesses.
	pub witnesses: u32,
	/// Shares of the witnesses following each deviant strategy (the rest is honest).
	pub lazy: f64,
	pub silent: f64,
	pub always_report: f64,
	pub colluding: f64,
	/// Stake every witness holds (at least `MinWitnessStake`, 100 FST).
	pub witness_stake: Balance,
	/// Providers, of which `flaky` are flaky and `cheating` cheat (the rest are honest).
	pub providers: u32,
	pub flaky: u32,
	pub cheating: u32,
	/// Per-period failure probabilities of each kind of provider.
	pub fail_honest: f64,
	pub fail_flaky: f64,
	pub fail_cheating: f64,
	/// Providers' cost per period at level 0 (level `l` costs `l + 1` times as much).
	pub provider_cost: Balance,
	/// Customers, each keeping one order running.
	pub customers: u32,
	/// Periods per order.
	pub periods: u32,
	/// Committee size of every order (the quorum is the runtime's: `size / 2 + 1`).
	pub committee: u32,
	/// Yearly inflation cap of reward minting (`FaasToken::set_yearly_inflation` by Root).
	/// Default 100 %: the sweeps' 20-block periods run the market sixty times faster than the
	/// production timings while an era stays 28,800 blocks, so the shipped 5 % would bind where
	/// it never would on the production timings; the year run uses the shipped 5 %.
	pub inflation: Perbill,
	/// Most a cheating provider pays in bribes for one period.
	pub bribe_budget: Balance,
	/// Least bribe a colluding witness takes to cover up (default: what it gives up, the +10
	/// units of a violation report less the +1 of a clean one).
	pub reservation: Balance,
	/// A probing witness's off-chain cost per round (machine time, bandwidth; default 0.1 FST).
	pub probe_cost: Balance,
	/// Witness 0 follows this strategy whatever the shares (a unilateral deviation: with the
	/// same seed the world is the same — failures, prices, committees, the others' reports —
	/// and only witness 0's reports differ).
	pub deviant: Option<Strategy>,
	/// Build only the blocks in which something is due (a round step, a deadline, an era
	/// change, a heartbeat, an agent's move, the block after any market or witness pool event)
	/// and skip the idle ones between: what makes a simulated year of hour-long periods
	/// affordable. The smoke test checks that it changes no outcome.
	pub skip_idle: bool,
}

impl Default for Params {
	fn default() -> Self {
		let unit = REWARD_UNIT;
		Self {
			timings: Timings::Dev,
			blocks: 600,
			witnesses: 24,
			lazy: 0.0,
			silent: 0.0,
			always_report: 0.0,
			colluding: 0.0,
			witness_stake: <Runtime as pallet_witness_pool::Config>::MinWitnessStake::get(),
			providers: 4,
			flaky: 1,
			cheating: 1,
			fail_honest: 0.02,
			fail_flaky: 0.2,
			fail_cheating: 0.6,
			provider_cost: 2 * FST,
			customers: 6,
			periods: 12,
			committee: 3,
			inflation: Perbill::one(),
			bribe_budget: 0,
			reservation: Balance::from(pallet_witness_pool::VIOLATION_REWARD_UNITS - 1) * unit,
			probe_cost: FST / 10,
			skip_idle: false,
			deviant: None,
		}
	}
}

/// One settled, lapsed or abandoned round, as the simulation saw it.
#[derive(Clone, Debug)]
pub struct RoundOutcome {
	pub order_id: OrderId,
	pub round: u32,
	pub level: u32,
	pub provider_kind: Kind,
	/// Whether the provider failed the period (the truth the honest witnesses see).
	pub violated: bool,
	pub members: u32,
	pub colluding_members: u32,
	/// `Some(true)`: Violated, `Some(false)`: NoViolation, `None`: lapsed or abandoned.
	pub verdict: Option<bool>,
	/// Bribes paid to cover the period up.
	pub bribes: Balance,
}

/// What one witness ended with.
#[derive(Clone, Debug)]
pub struct WitnessOutcome {
	pub strategy: Strategy,
	/// Seats held in settled or lapsed rounds.
	pub seats: u32,
	/// FST gained on chain (free + held, end − start): minted rewards, slashes, bribes.
	pub chain_gain: i128,
	/// `chain_gain` less the off-chain probe costs.
	pub net_gain: i128,
	pub reputation: i32,
	pub suspended: bool,
}

/// What one provider ended with.
#[derive(Clone, Debug)]
pub struct ProviderOutcome {
	pub kind: Kind,
	/// Paid for periods, per level.
	pub earned: BTreeMap<u32, Balance>,
	/// Periods served (settled), per level.
	pub periods: BTreeMap<u32, u32>,
	/// Off-chain costs of the periods served.
	pub costs: Balance,
	/// Bribes paid.
	pub bribes: Balance,
	/// Times it left with a stake below the minimum and registered again.
	pub restakes: u32,
	/// Whether it left the market for good (slashed below the minimum stake and unable to
	/// stake again).
	pub left: bool,
	/// FST gained on chain (free + held, end − start): payments, slashes, forfeited deposits,
	/// bribes paid.
	pub chain_gain: i128,
}

/// FST totals at the end of one era (from the token pallet's own records).
#[derive(Clone, Debug)]
pub struct EraPoint {
	pub era: u32,
	pub block: BlockNumber,
	pub issuance: Balance,
	pub minted: Balance,
	pub burned: Balance,
	pub slashed: Balance,
	pub budget: Balance,
	/// Everything held as witness and provider stake.
	pub staked: Balance,
}

/// Everything one simulation produced.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
	pub rounds: Vec<RoundOutcome>,
	pub witnesses: Vec<WitnessOutcome>,
	pub providers: Vec<ProviderOutcome>,
	/// One point per closed era, and one for the end of the run.
	pub eras: Vec<EraPoint>,
	pub genesis_issuance: Balance,
	pub final_issuance: Balance,
	pub blocks: BlockNumber,
}

impl Outcome {
	/// Rounds with a verdict whose period was violated / not violated.
	fn with_verdict(&self, violated: bool) -> impl Iterator<Item = &RoundOutcome> {
		self.rounds.iter().filter(move |r| r.violated == violated && r.verdict.is_some())
	}

	/// Share of violated periods judged Violated.
	pub fn detection_rate(&self) -> Option<f64> {
		ratio(
			self.with_verdict(true).filter(|r| r.verdict == Some(true)).count(),
			self.with_verdict(true).count(),
		)
	}

	/// Share of fine periods judged Violated.
	pub fn false_violation_rate(&self) -> Option<f64> {
		ratio(
			self.with_verdict(false).filter(|r| r.verdict == Some(true)).count(),
			self.with_verdict(false).count(),
		)
	}

	/// Share of rounds without a verdict (lapsed or abandoned).
	pub fn no_verdict_rate(&self) -> Option<f64> {
		ratio(self.rounds.iter().filter(|r| r.verdict.is_none()).count(), self.rounds.len())
	}

	/// Whether an era minted its whole budget (rewards were scaled down).
	pub fn mint_cap_reached(&self) -> bool {
		self.eras.iter().any(|e| e.budget > 0 && e.minted >= e.budget)
	}

	/// Mean net gain per seat of the witnesses following `strategy` (FST).
	pub fn gain_per_seat(&self, strategy: Strategy) -> Option<f64> {
		let (gain, seats) = self
			.witnesses
			.iter()
			.filter(|w| w.strategy == strategy)
			.fold((0i128, 0u32), |(g, s), w| (g + w.net_gain, s + w.seats));
		(seats > 0).then(|| gain as f64 / seats as f64 / FST as f64)
	}
}

fn ratio(part: usize, whole: usize) -> Option<f64> {
	(whole > 0).then(|| part as f64 / whole as f64)
}

/// An agent's account: an sr25519 key derived from `//sim//{role}//{index}`.
fn agent(role: &str, index: u32) -> (AccountId, String) {
	let seed = format!("//sim//{role}//{index}");
	let pair = sp_core::sr25519::Pair::from_string(&seed, None).expect("a valid derivation");
	(AccountId::from(pair.public()), seed)
}

struct Witness {
	account: AccountId,
	strategy: Strategy,
	key: pallet_witness_pool::VrfKey,
	start: Balance,
	probes: u32,
	seats: u32,
}

struct Provider {
	account: AccountId,
	kind: Kind,
	start: Balance,
	outcome: ProviderOutcome,
}

/// A round the simulation acts in.
#[derive(Default)]
struct RoundState {
	joined: bool,
	committed: bool,
	revealed: bool,
	finished: bool,
	violated: bool,
	/// Each member's report (`None`: stays silent).
	reports: Vec<(AccountId, Option<bool>)>,
	colluding_members: u32,
	bribes: Balance,
}

/// An order a customer placed.
struct Order {
	id: OrderId,
	level: u32,
	bid: BTreeSet<usize>,
	revealed: BTreeSet<usize>,
	provider: Option<usize>,
	rounds: BTreeMap<u32, RoundState>,
	done: bool,
	/// What the order had paid its provider when last seen.
	paid: Balance,
	/// Periods settled when last seen.
	settled: u32,
	/// Whether `paid` was added to the provider's earnings.
	booked: bool,
}

struct Sim {
	p: Params,
	rng: StdRng,
	witnesses: Vec<Witness>,
	by_account: BTreeMap<AccountId, usize>,
	providers: Vec<Provider>,
	customers: Vec<(AccountId, Option<Order>)>,
	out: Outcome,
	heartbeat_every: BlockNumber,
	last_heartbeat: BlockNumber,
	last_era: Option<u32>,
	/// The run's seed.
	seed: u64,
	/// Orders replaced in the current block.
	retired: Vec<Order>,
	/// Orders each customer placed so far.
	placed: Vec<u32>,
	/// Budget of the era in progress.
	era_budget: Balance,
	/// Sealed bid prices, kept for the reveal.
	prices: BTreeMap<(OrderId, usize), Balance>,
}

fn balance_of(who: &AccountId) -> Balance {
	use defaas_runtime::Balances;
	<Balances as Inspect<AccountId>>::balance(who)
		+ <Balances as InspectHold<AccountId>>::total_balance_on_hold(who)
}

fn ok_as(who: &AccountId, call: impl Into<RuntimeCall>) {
	let call: RuntimeCall = call.into();
	if let Err(e) = harness::call_as(who, call.clone()) {
		panic!("{call:?} failed at block {}: {e:?}", harness::now());
	}
}

/// Level count of the genesis level table.
fn levels() -> u32 {
	pallet_market::NextLevelId::<Runtime>::get()
}

impl Sim {
	fn new(p: Params, seed: u64) -> Self {
		Self {
			rng: StdRng::seed_from_u64(seed),
			heartbeat_every: pallet_market::Pallet::<Runtime>::timings().heartbeat_grace / 2,
			p,
			witnesses: Vec::new(),
			by_account: BTreeMap::new(),
			providers: Vec::new(),
			customers: Vec::new(),
			out: Outcome::default(),
			last_heartbeat: 0,
			last_era: None,
			prices: BTreeMap::new(),
			era_budget: 0,
			seed,
			retired: Vec::new(),
			placed: Vec::new(),
		}
	}

	/// Fund, register and stake every agent (block 1), set the minting cap.
	fn setup(&mut self) {
		self.out.genesis_issuance = harness::genesis_issuance();
		let inflation = self.p.inflation;
		let new_cap = inflation != pallet_faas_token::YearlyInflation::<Runtime>::get();
		let root =
			RuntimeCall::FaasToken(pallet_faas_token::Call::set_yearly_inflation { inflation });
		use sp_runtime::traits::Dispatchable;
		root.dispatch(defaas_runtime::RuntimeOrigin::root()).expect("Root sets the inflation");
		if new_cap {
			// A new cap applies from the next era: start it (nothing is due before it).
			let era =
				pallet_faas_token::CurrentEra::<Runtime>::get().expect("era 0 opened in block 1");
			let next = era.start_block + <Runtime as pallet_faas_token::Config>::EraLength::get();
			harness::next_block_at(|| next);
		}

		// Funders: the endowed dev accounts (Alice's endowment is partly in the genesis pool).
		let funders: Vec<AccountId> =
			harness::dev_accounts().into_iter().skip(1).map(harness::acc).collect();
		let mut next_funder = 0usize;
		let mut fund = |to: &AccountId, amount: Balance| {
			let from = &funders[next_funder % funders.len()];
			next_funder += 1;
			ok_as(
				from,
				pallet_balances::Call::<Runtime>::transfer_keep_alive {
					dest: to.clone().into(),
					value: amount,
				},
			);
		};

		let n = self.p.witnesses;
		let shares = [
			(Strategy::Lazy, self.p.lazy),
			(Strategy::Silent, self.p.silent),
			(Strategy::AlwaysReport, self.p.always_report),
			(Strategy::Colluding, self.p.colluding),
		];
		let mut strategies = Vec::new();
		for (strategy, share) in shares {
			let count = (share * f64::from(n)).round() as u32;
			strategies.extend(std::iter::repeat_n(strategy, count as usize));
		}
		strategies.truncate(n as usize);
		while strategies.len() < n as usize {
			strategies.push(Strategy::Honest);
		}
		// Which witness follows which strategy is random (VRF draws do not favour indices anyway).
		for i in (1..strategies.len()).rev() {
			let j = self.rng.gen_range(0..=i);
			strategies.swap(i, j);
		}
		if let (Some(strategy), Some(first)) = (self.p.deviant, strategies.first_mut()) {
			*first = strategy;
		}
		for (i, strategy) in strategies.into_iter().enumerate() {
			let (account, seed) = agent("witness", i as u32);
			fund(&account, self.p.witness_stake + 10 * FST);
			// A raw 32-byte seed, not a derivation path: the test keystore keeps the seed and
			// derives the key at every signature, and a path would cost a PBKDF2 each time.
			let raw = sp_io::hashing::blake2_256(format!("{seed}//wtns").as_bytes());
			let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
			let key = sp_io::crypto::sr25519_generate(
				WITNESS_KEY_TYPE,
				Some(format!("0x{hex}").into_bytes()),
			);
			ok_as(
				&account,
				PoolCall::register_witness { stake: self.p.witness_stake, vrf_key: key },
			);
			self.by_account.insert(account.clone(), self.witnesses.len());
			self.witnesses.push(Witness { account, strategy, key, start: 0, probes: 0, seats: 0 });
		}

		let stake = <Runtime as pallet_market::Config>::MinProviderStake::get();
		let all_levels: Vec<u32> = (0..levels()).collect();
		for i in 0..self.p.providers {
			let (account, _) = agent("provider", i);
			let kind = if i < self.p.cheating {
				Kind::Cheating
			} else if i < self.p.cheating + self.p.flaky {
				Kind::Flaky
			} else {
				Kind::Honest
			};
			// Working capital for slashes, re-staking and bribes: a cartel's client must be able
			// to pay the cover-ups its budget allows for a whole run.
			fund(&account, stake + 50_000 * FST);
			ok_as(
				&account,
				MarketCall::register_provider {
					stake,
					endpoint: b"http://127.0.0.1:8080".to_vec().try_into().expect("short"),
					levels: all_levels.clone().try_into().expect("few levels"),
					heartbeat_key: account.clone(),
				},
			);
			self.providers.push(Provider {
				account,
				kind,
				start: 0,
				outcome: ProviderOutcome {
					kind,
					earned: BTreeMap::new(),
					periods: BTreeMap::new(),
					costs: 0,
					bribes: 0,
					restakes: 0,
					left: false,
					chain_gain: 0,
				},
			});
		}
		for i in 0..self.p.customers {
			let (account, _) = agent("customer", i);
			// Enough for a year of orders at the highest level.
			fund(&account, 200_000 * FST);
			self.customers.push((account, None));
			self.placed.push(0);
		}
		self.heartbeat();
		for w in &mut self.witnesses {
			w.start = balance_of(&w.account);
		}
		for p in &mut self.providers {
			p.start = balance_of(&p.account);
		}
	}

	fn heartbeat(&mut self) {
		let levels = levels();
		self.restake();
		for p in self.providers.iter().filter(|p| !p.outcome.left) {
			let capacity: Vec<(u32, u32)> = (0..levels).map(|l| (l, 8)).collect();
			ok_as(
				&p.account,
				MarketCall::heartbeat { capacity: capacity.try_into().expect("few levels") },
			);
		}
		self.last_heartbeat = harness::now();
	}

	/// The next block in which something is due after the block just finished, at most `end`:
	/// its successor if the market, the witness pool or the token pallet emitted an event in it
	/// (agents react in the next block); otherwise the earliest round step, deadline, era change or heartbeat.
	fn next_due(&self, end: BlockNumber) -> BlockNumber {
		let now = harness::now();
		let busy = frame_system::Pallet::<Runtime>::read_events_no_consensus().any(|record| {
			matches!(
				record.event,
				defaas_runtime::RuntimeEvent::Market(_)
					| defaas_runtime::RuntimeEvent::WitnessPool(_)
					| defaas_runtime::RuntimeEvent::FaasToken(_)
			)
		});
		if busy || now < 2 {
			return now + 1;
		}
		let mut next = end.min(self.last_heartbeat + self.heartbeat_every);
		if let Some(era) = pallet_faas_token::CurrentEra::<Runtime>::get() {
			next = next
				.min(era.start_block + <Runtime as pallet_faas_token::Config>::EraLength::get());
		}
		let later = |k: &BlockNumber| *k > now;
		if let Some(k) = pallet_witness_pool::Agenda::<Runtime>::iter_keys().filter(later).min() {
			next = next.min(k);
		}
		if let Some(k) = pallet_market::Deadlines::<Runtime>::iter_keys().filter(later).min() {
			next = next.min(k);
		}
		// The reveal window opens at a round's `commit_end`, which is no round step.
		for (_, _, round) in pallet_witness_pool::Rounds::<Runtime>::iter() {
			if round.phase == RoundPhase::Reporting && round.commit_end > now {
				next = next.min(round.commit_end);
			}
		}
		next.max(now + 1)
	}

	/// A uniform draw in [0, 1) keyed by what it decides (`tag`, `a`, `b`) and the run's seed,
	/// not by the order of the draws: the same seed makes the same decisions whichever blocks
	/// they fall in (skipping idle blocks or not), and runs of a sweep with one seed share
	/// their random numbers across parameter points.
	fn draw(&self, tag: &[u8], a: u64, b: u64) -> f64 {
		let hash = sp_io::hashing::blake2_128(&(self.seed, tag, a, b).encode());
		let mut bytes = [0u8; 8];
		bytes.copy_from_slice(&hash[..8]);
		(u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
	}

	/// A provider slashed below the minimum stake leaves once it has no bid and no lease (its
	/// remaining stake is refunded at a reputation of at least 30 %, otherwise it goes to the
	/// slash sink: the market has no top-up) and registers again with a fresh minimum stake.
	fn restake(&mut self) {
		let min_stake = <Runtime as pallet_market::Config>::MinProviderStake::get();
		let all_levels: Vec<u32> = (0..levels()).collect();
		for p in &mut self.providers {
			let Some(record) = pallet_market::Providers::<Runtime>::get(&p.account) else {
				continue;
			};
			if record.stake >= min_stake || record.open_bids > 0 || record.active_leases > 0 {
				continue;
			}
			ok_as(&p.account, MarketCall::unregister_provider {});
			// One that cannot afford a new stake (and a bid deposit) has left the market.
			let bid_deposit = <Runtime as pallet_market::Config>::BidDeposit::get();
			let free = <defaas_runtime::Balances as Inspect<AccountId>>::balance(&p.account);
			if free < min_stake + 2 * bid_deposit {
				p.outcome.left = true;
				continue;
			}
			ok_as(
				&p.account,
				MarketCall::register_provider {
					stake: min_stake,
					endpoint: b"http://127.0.0.1:8080".to_vec().try_into().expect("short"),
					levels: all_levels.clone().try_into().expect("few levels"),
					heartbeat_key: p.account.clone(),
				},
			);
			p.outcome.restakes += 1;
		}
	}

	/// What the agents do in the current block.
	fn act(&mut self) {
		let now = harness::now();
		if now >= self.last_heartbeat + self.heartbeat_every {
			self.heartbeat();
		}
		for c in 0..self.customers.len() {
			self.act_customer(c);
		}
	}

	fn act_customer(&mut self, c: usize) {
		let now = harness::now();
		let ended = match &self.customers[c].1 {
			None => true,
			Some(order) => order.done,
		};
		if ended {
			if let Some(mut order) = self.customers[c].1.take() {
				Self::book(&mut self.providers, &mut order);
				// Its last round settled in this block's hooks: `collect` records it at the
				// end of the block.
				self.retired.push(order);
			}
			self.place_order(c);
			return;
		}
		let mut order = self.customers[c].1.take().expect("an order");
		match pallet_market::Orders::<Runtime>::get(order.id) {
			None => order.done = true,
			Some(record) => {
				match record.state {
					OrderState::Bidding { bidding_ends } if now < bidding_ends => {
						self.bid(&mut order, &record)
					},
					OrderState::Bidding { .. } | OrderState::Revealing { .. } => {
						self.reveal(&mut order)
					},
					OrderState::Confirming { ref candidate, .. } => {
						let i = self.provider_index(candidate);
						ok_as(candidate, MarketCall::confirm_order { order_id: order.id });
						order.provider = Some(i);
					},
					OrderState::Deploying { .. } => {
						let lease = record.lease.as_ref().expect("a lease");
						order.provider = Some(self.provider_index(&lease.provider));
						ok_as(&lease.provider, MarketCall::fulfill { order_id: order.id });
					},
					OrderState::Fulfilling { .. } => {},
					_ if record.state.is_terminal() => order.done = true,
					_ => {},
				}
				self.act_rounds(&mut order);
				order.paid = record.paid;
				order.settled = record.lease.as_ref().map(|l| l.settled).unwrap_or(0);
				if record.state.is_terminal() {
					order.done = true;
				}
			},
		}
		let done = order.done;
		self.customers[c].1 = Some(order);
		if done {
			// Order again at once (an idle-skipping run builds no block for a thought).
			self.act_customer(c);
		}
	}

	/// Add what an order paid to its provider's earnings (once).
	fn book(providers: &mut [Provider], order: &mut Order) {
		if order.booked {
			return;
		}
		order.booked = true;
		if let Some(i) = order.provider {
			let p = &mut providers[i].outcome;
			*p.earned.entry(order.level).or_default() += order.paid;
			*p.periods.entry(order.level).or_default() += order.settled;
		}
	}

	fn provider_index(&self, account: &AccountId) -> usize {
		self.providers.iter().position(|p| p.account == *account).expect("a simulated provider")
	}

	fn max_price(&self, level: u32) -> Balance {
		4 * self.p.provider_cost * Balance::from(level + 1)
	}

	fn place_order(&mut self, c: usize) {
		let placed = self.placed[c];
		self.placed[c] += 1;
		let level = (self.draw(b"level", c as u64, u64::from(placed)) * f64::from(levels())) as u32;
		let timings = pallet_market::Pallet::<Runtime>::timings();
		let customer = self.customers[c].0.clone();
		let id = pallet_market::NextOrderId::<Runtime>::get();
		ok_as(
			&customer,
			MarketCall::create_order {
				level,
				periods: self.p.periods,
				max_unit_price: self.max_price(level),
				committee_size: self.p.committee,
				bid_window: timings.min_bid_window,
				package_hash: [7u8; 32],
				min_reputation: sp_runtime::Permill::zero(),
				sponsor: None,
				asset: pallet_market::NativeOrWithId::Native,
			},
		);
		self.customers[c].1 = Some(Order {
			id,
			level,
			bid: BTreeSet::new(),
			revealed: BTreeSet::new(),
			provider: None,
			rounds: BTreeMap::new(),
			done: false,
			paid: 0,
			settled: 0,
			booked: false,
		});
	}

	/// A provider's price: its cost and a margin of 10–50 % (cheaters claim a lower cost: they
	/// do not spend it), at most the order's maximum.
	fn price(&mut self, i: usize, order: OrderId, level: u32) -> Balance {
		let cost = self.p.provider_cost * Balance::from(level + 1);
		let cost = if self.providers[i].kind == Kind::Cheating { cost / 2 } else { cost };
		let margin = 10 + (self.draw(b"margin", order, i as u64) * 41.0) as u128;
		(cost + cost * margin / 100).min(self.max_price(level))
	}

	fn bid_salt(order: OrderId, who: &AccountId) -> [u8; 32] {
		sp_io::hashing::blake2_256(&(b"bid", order, who).encode())
	}

	fn bid(&mut self, order: &mut Order, record: &pallet_market::OrderRecordOf<Runtime>) {
		let min_stake = <Runtime as pallet_market::Config>::MinProviderStake::get();
		for i in 0..self.providers.len() {
			if order.bid.contains(&i) || self.providers[i].account == record.customer {
				continue;
			}
			// A provider slashed below the minimum stake cannot bid until it re-registers.
			let stake = pallet_market::Providers::<Runtime>::get(&self.providers[i].account)
				.map(|p| p.stake);
			if stake.is_none_or(|stake| stake < min_stake) {
				continue;
			}
			let price = self.price(i, order.id, order.level);
			let who = self.providers[i].account.clone();
			let commitment = defaas_primitives::commitments::bid_commitment(
				order.id,
				&price,
				&Self::bid_salt(order.id, &who),
				&who,
			);
			ok_as(&who, MarketCall::commit_bid { order_id: order.id, commitment });
			order.bid.insert(i);
			self.prices.insert((order.id, i), price);
		}
	}

	fn reveal(&mut self, order: &mut Order) {
		// The reveal window opens with the first block after the bid window (the stored state
		// may still say Bidding until the deadline sweep).
		for i in order.bid.clone() {
			if order.revealed.contains(&i) {
				continue;
			}
			let Some(price) = self.prices.remove(&(order.id, i)) else { continue };
			let who = self.providers[i].account.clone();
			let salt = Self::bid_salt(order.id, &who);
			if harness::call_as(&who, MarketCall::reveal_bid { order_id: order.id, price, salt })
				.is_ok()
			{
				order.revealed.insert(i);
			} else {
				// Not yet open (or already closed): try again in the next block.
				self.prices.insert((order.id, i), price);
			}
		}
	}

	/// Join, commit and reveal in the rounds of a lease, and record the finished ones.
	fn act_rounds(&mut self, order: &mut Order) {
		let Some(provider) = order.provider else { return };
		let Some(record) = pallet_market::Orders::<Runtime>::get(order.id) else { return };
		let settled = match record.state {
			OrderState::Fulfilling { round, .. } => round,
			_ => record.lease.as_ref().map(|l| l.settled).unwrap_or(0),
		};
		let now = harness::now();
		for r in settled.saturating_sub(1)..settled + 3 {
			let Some(round) = pallet_witness_pool::Rounds::<Runtime>::get(order.id, r) else {
				continue;
			};
			let state = order.rounds.entry(r).or_default();
			if state.finished {
				continue;
			}
			if !state.joined && round.phase == RoundPhase::Joining && now < round.join_end {
				state.joined = true;
				let kind = self.providers[provider].kind;
				let fail = match kind {
					Kind::Honest => self.p.fail_honest,
					Kind::Flaky => self.p.fail_flaky,
					Kind::Cheating => self.p.fail_cheating,
				};
				state.violated = self.draw(b"fail", order.id, u64::from(r)) < fail;
				for w in &self.witnesses {
					let Some(signature) = vrf::witness_vrf::sign(&w.key, round.seed) else {
						continue;
					};
					let Some(output) = vrf::verify(&w.key, &round.seed, &signature) else {
						continue;
					};
					if output < round.threshold {
						// Refused joins (the provider's or customer's own witness, a full
						// committee with lower outputs) are the runtime's business.
						let _ = harness::call_as(
							&w.account,
							PoolCall::join_committee {
								order_id: order.id,
								round: r,
								vrf_signature: signature,
							},
						);
					}
				}
			}
			if round.phase == RoundPhase::Reporting && !state.committed && now < round.commit_end {
				state.committed = true;
				let members: Vec<AccountId> =
					round.members.iter().map(|m| m.witness.clone()).collect();
				let violated = state.violated;
				let (reports, colluding, bribes) = self.reports(provider, violated, &members);
				let state = order.rounds.get_mut(&r).expect("entered above");
				state.reports = reports;
				state.colluding_members = colluding;
				state.bribes = bribes;
				for (who, report) in state.reports.clone() {
					let Some(violated) = report else { continue };
					let salt = report_salt(order.id, r, &who);
					let commitment = defaas_primitives::commitments::report_commitment(
						order.id, r, violated, &salt, &who,
					);
					ok_as(
						&who,
						PoolCall::commit_report { order_id: order.id, round: r, commitment },
					);
				}
				continue;
			}
			if round.phase == RoundPhase::Reporting
				&& state.committed
				&& !state.revealed
				&& round.commit_end <= now
				&& now < round.reveal_end
			{
				state.revealed = true;
				for (who, report) in state.reports.clone() {
					let Some(violated) = report else { continue };
					let salt = report_salt(order.id, r, &who);
					ok_as(
						&who,
						PoolCall::reveal_report { order_id: order.id, round: r, violated, salt },
					);
				}
				continue;
			}
		}
	}

	/// Record the rounds the witness pool finished in the current block (from its events: a
	/// lease's last round is pruned with the lease in the block it settles).
	fn collect(&mut self) {
		use pallet_witness_pool::Event as PoolEvent;
		let finished: Vec<(OrderId, u32, Option<bool>)> =
			frame_system::Pallet::<Runtime>::read_events_no_consensus()
				.filter_map(|record| match record.event {
					defaas_runtime::RuntimeEvent::WitnessPool(PoolEvent::RoundSettled {
						order_id,
						round,
						verdict,
						..
					}) => Some((
						order_id,
						round,
						Some(verdict == pallet_witness_pool::Verdict::Violated),
					)),
					defaas_runtime::RuntimeEvent::WitnessPool(
						PoolEvent::RoundLapsed { order_id, round, .. }
						| PoolEvent::RoundAbandoned { order_id, round },
					) => Some((order_id, round, None)),
					_ => None,
				})
				.collect();
		for (order_id, r, verdict) in finished {
			let Some(order) = self
				.customers
				.iter_mut()
				.filter_map(|(_, o)| o.as_mut())
				.chain(self.retired.iter_mut())
				.find(|o| o.id == order_id)
			else {
				continue;
			};
			let (Some(provider), Some(state)) = (order.provider, order.rounds.get_mut(&r)) else {
				continue;
			};
			if state.finished {
				continue;
			}
			state.finished = true;
			self.out.rounds.push(RoundOutcome {
				order_id,
				round: r,
				level: order.level,
				provider_kind: self.providers[provider].kind,
				violated: state.violated,
				members: state.reports.len() as u32,
				colluding_members: state.colluding_members,
				verdict,
				bribes: state.bribes,
			});
			// Probing members pay their off-chain cost; the provider its cost of serving.
			for (who, _) in &state.reports {
				let w = &mut self.witnesses[self.by_account[who]];
				w.seats += 1;
				if w.strategy.probes() {
					w.probes += 1;
				}
			}
			let cost = self.p.provider_cost * Balance::from(order.level + 1);
			let p = &mut self.providers[provider];
			p.outcome.costs += if p.kind == Kind::Cheating { cost / 2 } else { cost };
			p.outcome.bribes += state.bribes;
		}
		self.retired.clear();
	}

	/// Every member's report (`None`: silent), the cartel's members in the committee and the
	/// bribes the provider paid (transferred on chain).
	fn reports(
		&mut self,
		provider: usize,
		violated: bool,
		members: &[AccountId],
	) -> (Vec<(AccountId, Option<bool>)>, u32, Balance) {
		let strategy = |who: &AccountId| self.witnesses[self.by_account[who]].strategy;
		let majority = members.len() as u32 / 2 + 1;
		let colluders: Vec<AccountId> =
			members.iter().filter(|m| strategy(m) == Strategy::Colluding).cloned().collect();
		let cartel_client = self.providers[provider].kind == Kind::Cheating;
		let honest_report = |s: Strategy| -> Option<bool> {
			match s {
				Strategy::Honest | Strategy::Colluding => Some(violated),
				Strategy::Lazy => Some(false),
				Strategy::Silent => None,
				Strategy::AlwaysReport => Some(true),
			}
		};
		let mut reports: Vec<(AccountId, Option<bool>)> =
			members.iter().map(|m| (m.clone(), honest_report(strategy(m)))).collect();
		let colluding = colluders.len() as u32;
		let mut bribes = 0;
		if cartel_client && violated {
			// Buy just enough colluders to leave fewer than a majority of violation reports.
			let accusers = reports.iter().filter(|(_, r)| *r == Some(true)).count() as u32;
			let needed = (accusers + 1).saturating_sub(majority);
			let cost = self.p.reservation * Balance::from(needed);
			let payer = self.providers[provider].account.clone();
			let spendable = {
				use frame_support::traits::tokens::{Fortitude, Preservation};
				<defaas_runtime::Balances as Inspect<AccountId>>::reducible_balance(
					&payer,
					Preservation::Preserve,
					Fortitude::Polite,
				)
			};
			if needed > 0
				&& needed <= colluding
				&& self.p.reservation > 0
				&& cost <= self.p.bribe_budget
				&& cost <= spendable
			{
				for who in colluders.iter().take(needed as usize) {
					ok_as(
						&payer,
						pallet_balances::Call::<Runtime>::transfer_keep_alive {
							dest: who.clone().into(),
							value: self.p.reservation,
						},
					);
					for (m, r) in reports.iter_mut() {
						if m == who {
							*r = Some(false);
						}
					}
				}
				bribes = cost;
			}
		} else if !cartel_client && colluding >= majority {
			// The cartel holds the committee: a false accusation pays +10 units a member.
			for (m, r) in reports.iter_mut() {
				if colluders.contains(m) {
					*r = Some(true);
				}
			}
		}
		(reports, colluding, bribes)
	}

	/// Record the token pallet's era totals when an era closed.
	fn record_eras(&mut self, last: bool) {
		let Some(era) = pallet_faas_token::CurrentEra::<Runtime>::get() else { return };
		if self.last_era == Some(era.index) && !last {
			return;
		}
		if let Some(previous) = self.last_era.filter(|i| *i != era.index) {
			if let Some(closed) = pallet_faas_token::EraTotals::<Runtime>::get(previous) {
				let budget = self.era_budget;
				self.push_era(previous, closed.minted, closed.burned, closed.slashed, budget);
			}
		}
		self.last_era = Some(era.index);
		self.era_budget = era.budget;
		if last {
			self.push_era(era.index, era.minted, era.burned, era.slashed, era.budget);
		}
	}

	fn push_era(
		&mut self,
		era: u32,
		minted: Balance,
		burned: Balance,
		slashed: Balance,
		budget: Balance,
	) {
		// Stake records equal their holds (an invariant the harness checks).
		let staked = pallet_witness_pool::Witnesses::<Runtime>::iter_values()
			.map(|w| w.stake)
			.chain(pallet_market::Providers::<Runtime>::iter_values().map(|p| p.stake))
			.sum();
		self.out.eras.push(EraPoint {
			era,
			block: harness::now(),
			issuance: harness::issuance(),
			minted,
			burned,
			slashed,
			budget,
			staked,
		});
	}

	fn finish(mut self) -> Outcome {
		self.record_eras(true);
		for w in &self.witnesses {
			let record =
				pallet_witness_pool::Witnesses::<Runtime>::get(&w.account).expect("registered");
			let chain_gain = balance_of(&w.account) as i128 - w.start as i128;
			self.out.witnesses.push(WitnessOutcome {
				strategy: w.strategy,
				seats: w.seats,
				chain_gain,
				net_gain: chain_gain - i128::from(w.probes) * self.p.probe_cost as i128,
				reputation: record.reputation,
				suspended: record.suspended,
			});
		}
		for (_, order) in &mut self.customers {
			if let Some(order) = order.as_mut() {
				Self::book(&mut self.providers, order);
			}
		}
		for p in &mut self.providers {
			p.outcome.chain_gain = balance_of(&p.account) as i128 - p.start as i128;
			self.out.providers.push(p.outcome.clone());
		}
		self.out.final_issuance = harness::issuance();
		self.out.blocks = harness::now();
		self.out
	}
}

/// The salt of a witness's report in a round.
fn report_salt(order_id: OrderId, round: u32, who: &AccountId) -> [u8; 32] {
	sp_io::hashing::blake2_256(&(b"report", order_id, round, who).encode())
}

/// Run one simulation with `seed`: set up the agents, run until `params.blocks` blocks after
/// the witnesses' activation, and collect what happened.
pub fn simulate(params: &Params, seed: u64) -> Outcome {
	/// Blocks run between two commits of the overlay.
	const STRETCH: BlockNumber = 200;
	let mut ext = harness::new_chain(params.timings);
	let mut sim = ext.execute_with(|| {
		// The pallets' `try_state` and the harness's invariants once per 50 blocks: a long run
		// is also a long invariant check, at a fraction of the cost of checking every block.
		harness::set_checks(50, true);
		let mut sim = Sim::new(params.clone(), seed);
		sim.setup();
		sim
	});
	let (active, end) = ext.execute_with(|| {
		let active =
			harness::now() + <Runtime as pallet_witness_pool::Config>::ActivationDelay::get();
		(active, active + params.blocks)
	});
	loop {
		let more = ext.execute_with(|| {
			let stop = (harness::now() + STRETCH).min(end);
			while harness::now() < stop {
				if harness::now() >= active {
					sim.act();
				} else if harness::now() >= sim.last_heartbeat + sim.heartbeat_every {
					sim.heartbeat();
				}
				sim.collect();
				sim.record_eras(false);
				if sim.p.skip_idle {
					harness::next_block_at(|| sim.next_due(end));
				} else {
					harness::next_block();
				}
			}
			harness::now() < end
		});
		ext.commit_all().expect("the overlay commits");
		// Drop the trie nodes no root references any more (the in-memory database keeps them
		// with a zero count until purged): a year's worth would be gigabytes.
		ext.backend.backend_storage_mut().purge();
		if !more {
			break;
		}
	}
	ext.execute_with(|| {
		// The last block's hooks ran: record what they finished.
		sim.collect();
		harness::check_invariants(harness::now());
		sim.finish()
	})
}
