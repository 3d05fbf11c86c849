//! The observer: follows finalized blocks (every number, none skipped when finality jumps) and
//! best blocks, and records for each transaction the generator sent when it was submitted,
//! first seen in a best block and finalized — and, per finalized block, its extrinsics, the
//! normal class's ref time and proof size (`System::BlockWeight`) and its timestamp.

use anyhow::{Context, Result};
use defaas_client::{
	chain::find_u128,
	subxt::{
		dynamic, error::DispatchError, events::Phase, ext::scale_decode::DecodeAsType, utils::H256,
	},
	Chain,
};
use std::{
	collections::{BTreeMap, HashMap},
	sync::{Arc, Mutex, MutexGuard},
	time::{Duration, Instant},
};
use tokio::sync::watch;

/// One transaction the generator sent.
#[derive(Clone, Debug)]
pub struct Sent {
	/// `Pallet.call`.
	pub kind: &'static str,
	/// When it was handed to the node.
	pub submitted: Instant,
	/// Why the node refused it, if it did.
	pub refused: Option<String>,
	/// When it was first seen in a best block.
	pub in_best: Option<Instant>,
	/// The finalized block it is in, and when that block was seen finalized.
	pub finalized: Option<(u32, Instant)>,
	/// It is in a finalized block but its dispatch failed (`System.ExtrinsicFailed`).
	pub failed: bool,
	/// The dispatch error of a failed one (`Pallet.Error`).
	pub error: Option<String>,
	/// The order id of the `Market.OrderCreated` event it emitted.
	pub order_created: Option<u64>,
}

/// A finalized block as the report needs it.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockRecord {
	/// Block number.
	pub number: u32,
	/// `Timestamp::Now` of the block, in milliseconds.
	pub timestamp_ms: u64,
	/// All its extrinsics (inherents included).
	pub extrinsics: u32,
	/// Those the generator sent, per kind.
	pub ours: BTreeMap<&'static str, u32>,
	/// Normal-class ref time used (picoseconds) and its share of the normal class's maximum.
	pub normal_ref_time: u64,
	/// Normal-class proof size used (bytes).
	pub normal_proof_size: u64,
	/// `normal_ref_time` ÷ the normal class's maximum total.
	pub normal_ref_time_share: f64,
	/// `normal_proof_size` ÷ the normal class's maximum total.
	pub normal_proof_size_share: f64,
	/// Ref time used by all classes (hooks such as the witness pool's agenda are mandatory).
	pub total_ref_time: u64,
}

/// What all the observer's tasks share.
pub struct Tracker {
	state: Mutex<State>,
	/// The number of the last finalized block processed (wakes waiters).
	finalized: watch::Sender<u32>,
	/// The number of the last best block processed (every new best block wakes waiters).
	best: watch::Sender<u32>,
}

/// What [`Tracker::settle`] waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Until {
	/// In a best block (or already finalized).
	InBlock,
	/// In a finalized block.
	Finalized,
}

/// How a monitoring round of a lease ended, from the witness pool's events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoundOutcome {
	/// `RoundOpened`, not settled yet.
	Open,
	/// `RoundSettled` with `NoViolation`.
	NoViolation,
	/// `RoundSettled` with `Violated`.
	Violated,
	/// `RoundAbandoned`: nobody could sit in the committee.
	Abandoned,
	/// `RoundLapsed`: fewer than a quorum of the committee revealed, no verdict.
	Lapsed,
}

#[derive(Default)]
struct State {
	/// Rounds seen in finalized blocks, by (order, round).
	rounds: HashMap<(u64, u32), RoundOutcome>,
	/// Settled rounds' (reveals, committee size), by (order, round).
	reveals: HashMap<(u64, u32), (u32, u32)>,
	sent: HashMap<H256, Sent>,
	blocks: Vec<BlockRecord>,
	/// Hashes seen in best blocks before the generator registered them (a fast node).
	seen_early: HashMap<H256, Instant>,
}

/// `System::BlockWeight` and the limits in `System::BlockWeights`.
#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "defaas_client::subxt::ext::scale_decode")]
struct PerClass<W> {
	normal: W,
	operational: W,
	mandatory: W,
}

#[derive(Debug, Clone, Copy, DecodeAsType)]
#[decode_as_type(crate_path = "defaas_client::subxt::ext::scale_decode")]
struct Weight {
	ref_time: u64,
	proof_size: u64,
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "defaas_client::subxt::ext::scale_decode")]
struct BlockWeights {
	max_block: Weight,
	per_class: PerClass<ClassLimits>,
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "defaas_client::subxt::ext::scale_decode")]
struct ClassLimits {
	max_total: Option<Weight>,
}

impl Tracker {
	/// Starts following `chain`'s best and finalized blocks from now on.
	pub async fn start(chain: &Chain) -> Result<Arc<Tracker>> {
		let (_, start) = chain.finalized().await?;
		let (finalized, _) = watch::channel(start);
		let (best, _) = watch::channel(0);
		let tracker = Arc::new(Tracker { state: Mutex::new(State::default()), finalized, best });
		let limit = normal_limit(chain).await?;
		let best = chain.api.stream_best_blocks().await.context("best blocks")?;
		let finalized = chain.api.stream_blocks().await.context("finalized blocks")?;
		tokio::spawn(follow_best(chain.clone(), tracker.clone(), best));
		tokio::spawn(follow_finalized(chain.clone(), tracker.clone(), finalized, start, limit));
		Ok(tracker)
	}

	fn lock(&self) -> MutexGuard<'_, State> {
		self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	/// Registers a transaction as sent now.
	pub fn sent(&self, hash: H256, kind: &'static str, at: Instant) {
		let mut state = self.lock();
		let in_best = state.seen_early.remove(&hash);
		state.sent.insert(
			hash,
			Sent {
				kind,
				submitted: at,
				refused: None,
				in_best,
				finalized: None,
				failed: false,
				error: None,
				order_created: None,
			},
		);
	}

	/// Records the node's refusal of a transaction.
	pub fn refused(&self, hash: H256, why: &str) {
		if let Some(sent) = self.lock().sent.get_mut(&hash) {
			sent.refused = Some(why.to_owned());
		}
	}

	/// The last finalized block number processed.
	pub fn finalized_number(&self) -> u32 {
		*self.finalized.borrow()
	}

	/// Waits until a best block after `number` has been processed; its number (`number` if
	/// the follower ended).
	pub async fn best_after(&self, number: u32) -> u32 {
		let mut receiver = self.best.subscribe();
		let next = receiver.wait_for(|n| *n > number).await.map(|n| *n);
		next.unwrap_or(number)
	}

	/// Waits until a finalized block after `number` has been processed; its number.
	pub async fn finalized_after(&self, number: u32) -> u32 {
		let mut receiver = self.finalized.subscribe();
		let next = receiver.wait_for(|n| *n > number).await.map(|n| *n);
		// An error: the follower ended (the connection is gone for good), nothing will come.
		next.unwrap_or(number)
	}

	/// Waits until each of `hashes` that the node accepted is in a block (`until`), or
	/// `patience` finalized blocks pass without any more of them getting there. The number
	/// still missing.
	pub async fn settle(&self, hashes: &[H256], until: Until, patience: u32) -> u64 {
		let mut last_progress = self.finalized_number();
		let mut missing_before = u64::MAX;
		let mut best = self.best.subscribe();
		let mut finalized = self.finalized.subscribe();
		loop {
			let missing = {
				let state = self.lock();
				hashes
					.iter()
					.filter(|hash| {
						state.sent.get(hash).is_some_and(|s| {
							let there = match until {
								Until::InBlock => s.in_best.is_some() || s.finalized.is_some(),
								Until::Finalized => s.finalized.is_some(),
							};
							s.refused.is_none() && !there
						})
					})
					.count() as u64
			};
			let now = self.finalized_number();
			if missing == 0 {
				return 0;
			}
			if missing < missing_before {
				missing_before = missing;
				last_progress = now;
			} else if now.saturating_sub(last_progress) >= patience {
				return missing;
			}
			// The next best or finalized block; both followers gone: nothing more will come.
			let next = tokio::select! {
				changed = best.changed() => changed,
				changed = finalized.changed() => changed,
			};
			if next.is_err() {
				return missing;
			}
		}
	}

	/// A copy of what was recorded so far.
	pub fn snapshot(&self) -> (Vec<Sent>, Vec<BlockRecord>) {
		let state = self.lock();
		(state.sent.values().cloned().collect(), state.blocks.clone())
	}

	/// The rounds of `orders` seen so far, by outcome.
	pub fn rounds_of(&self, orders: &[u64]) -> Vec<RoundOutcome> {
		let state = self.lock();
		state
			.rounds
			.iter()
			.filter(|((order, _), _)| orders.contains(order))
			.map(|(_, outcome)| *outcome)
			.collect()
	}

	/// Over the settled rounds of `orders`: (reveals, seats, rounds every member revealed in).
	pub fn reveals_of(&self, orders: &[u64]) -> (u32, u32, u32) {
		let state = self.lock();
		state.reveals.iter().filter(|((order, _), _)| orders.contains(order)).fold(
			(0, 0, 0),
			|(r, s, full), (_, (reveals, members))| {
				(r + reveals, s + members, full + u32::from(reveals >= members && *members > 0))
			},
		)
	}

	/// The records of `hashes` (those the generator sent).
	pub fn records(&self, hashes: &[H256]) -> Vec<Sent> {
		let state = self.lock();
		hashes.iter().filter_map(|hash| state.sent.get(hash).cloned()).collect()
	}
}

/// The normal class's maximum total (ref time, proof size), from `System::BlockWeights`.
async fn normal_limit(chain: &Chain) -> Result<Weight> {
	let at = chain.api.at_current_block().await.context("current block")?;
	let weights: BlockWeights = at
		.constants()
		.entry(dynamic::constant::<BlockWeights>("System", "BlockWeights"))
		.context("System::BlockWeights")?;
	Ok(weights.per_class.normal.max_total.unwrap_or(weights.max_block))
}

async fn follow_best(
	chain: Chain,
	tracker: Arc<Tracker>,
	mut blocks: defaas_client::subxt::client::Blocks<defaas_client::chain::Config>,
) {
	while let Some(Ok(block)) = blocks.next().await {
		let now = Instant::now();
		let Ok(at) = block.at().await else { continue };
		let Ok(extrinsics) = at.extrinsics().fetch().await else { continue };
		let hashes: Vec<H256> =
			extrinsics.iter().filter_map(|e| e.ok()).map(|e| e.hash()).collect();
		{
			let mut state = tracker.lock();
			for hash in hashes {
				match state.sent.get_mut(&hash) {
					Some(sent) => {
						sent.in_best.get_or_insert(now);
					},
					None => {
						state.seen_early.entry(hash).or_insert(now);
					},
				}
			}
		}
		let number = u32::try_from(block.number()).unwrap_or(u32::MAX);
		tracker.best.send_modify(|best| *best = number);
	}
	drop(chain);
}

async fn follow_finalized(
	chain: Chain,
	tracker: Arc<Tracker>,
	mut blocks: defaas_client::subxt::client::Blocks<defaas_client::chain::Config>,
	start: u32,
	limit: Weight,
) {
	// The block finalized when the generator started is recorded too: its timestamp starts
	// the clock of a phase that lands in the next one.
	let mut next = start;
	while let Some(Ok(block)) = blocks.next().await {
		let Ok(head) = u32::try_from(block.number()) else { continue };
		while next <= head {
			match record_block(&chain, &tracker, next, limit).await {
				Ok(()) => {
					tracker.finalized.send_replace(next);
					next = next.saturating_add(1);
				},
				Err(error) => {
					eprintln!("defaas-load: block {next}: {error:#}; retrying");
					tokio::time::sleep(Duration::from_millis(500)).await;
				},
			}
		}
	}
}

/// Reads finalized block `number` and records it.
async fn record_block(chain: &Chain, tracker: &Tracker, number: u32, limit: Weight) -> Result<()> {
	let now = Instant::now();
	let at = chain.api.at_block(u64::from(number)).await.context("block")?;
	let extrinsics = at.extrinsics().fetch().await.context("extrinsics")?;
	let events = at.events().fetch().await.context("events")?;
	let mut failed = HashMap::new();
	let mut created = HashMap::new();
	let mut rounds = Vec::new();
	let mut settled_reveals = Vec::new();
	for event in events.iter() {
		let event = event.context("event")?;
		if event.pallet_name() == "WitnessPool" {
			let outcome = match event.event_name() {
				"RoundOpened" => Some(RoundOutcome::Open),
				"RoundAbandoned" => Some(RoundOutcome::Abandoned),
				"RoundLapsed" => Some(RoundOutcome::Lapsed),
				"RoundSettled" => Some(RoundOutcome::NoViolation),
				_ => None,
			};
			if let Some(mut outcome) = outcome {
				let fields = event.decode_as::<dynamic::Value>().context("round event")?;
				let order = find_u128(&fields, "order_id").context("order_id")?;
				let round = find_u128(&fields, "round").context("round")?;
				if outcome == RoundOutcome::NoViolation
					&& variant_of(&fields, "verdict") == Some("Violated")
				{
					outcome = RoundOutcome::Violated;
				}
				if matches!(outcome, RoundOutcome::NoViolation | RoundOutcome::Violated) {
					let reveals = find_u128(&fields, "reveals").context("reveals")?;
					let members = find_u128(&fields, "members").context("members")?;
					settled_reveals.push((
						(u64::try_from(order)?, u32::try_from(round)?),
						(u32::try_from(reveals)?, u32::try_from(members)?),
					));
				}
				rounds.push(((u64::try_from(order)?, u32::try_from(round)?), outcome));
			}
		}
		let Phase::ApplyExtrinsic(index) = event.phase() else { continue };
		let index = index as usize;
		match (event.pallet_name(), event.event_name()) {
			("System", "ExtrinsicFailed") => {
				let error = match DispatchError::decode_from(event.field_bytes(), at.metadata()) {
					Ok(DispatchError::Module(module)) => match module.details() {
						Ok(details) => {
							format!("{}.{}", details.pallet.name(), details.variant.name)
						},
						Err(_) => module.to_string(),
					},
					Ok(other) => other.to_string(),
					Err(e) => format!("undecodable dispatch error: {e}"),
				};
				failed.insert(index, error);
			},
			("Market", "OrderCreated") => {
				let fields = event.decode_as::<dynamic::Value>().context("OrderCreated")?;
				let id = find_u128(&fields, "order_id").context("OrderCreated.order_id")?;
				created.insert(index, u64::try_from(id).context("order id")?);
			},
			_ => {},
		}
	}
	let used: PerClass<Weight> = at
		.storage()
		.fetch(dynamic::storage::<(), PerClass<Weight>>("System", "BlockWeight"), ())
		.await
		.context("System::BlockWeight")?
		.decode()
		.context("BlockWeight")?;
	let timestamp_ms: u64 = at
		.storage()
		.fetch(dynamic::storage::<(), u64>("Timestamp", "Now"), ())
		.await
		.context("Timestamp::Now")?
		.decode()
		.context("Now")?;
	let mut record = BlockRecord {
		number,
		timestamp_ms,
		extrinsics: u32::try_from(extrinsics.len()).unwrap_or(u32::MAX),
		ours: BTreeMap::new(),
		normal_ref_time: used.normal.ref_time,
		normal_proof_size: used.normal.proof_size,
		normal_ref_time_share: share(used.normal.ref_time, limit.ref_time),
		normal_proof_size_share: share(used.normal.proof_size, limit.proof_size),
		total_ref_time: used
			.normal
			.ref_time
			.saturating_add(used.operational.ref_time)
			.saturating_add(used.mandatory.ref_time),
	};
	let mut state = tracker.lock();
	for extrinsic in extrinsics.iter() {
		let Ok(extrinsic) = extrinsic else { continue };
		let Some(sent) = state.sent.get_mut(&extrinsic.hash()) else { continue };
		sent.finalized = Some((number, now));
		sent.error = failed.get(&extrinsic.index()).cloned();
		sent.failed = sent.error.is_some();
		sent.order_created = created.get(&extrinsic.index()).copied();
		sent.in_best.get_or_insert(now);
		*record.ours.entry(sent.kind).or_default() += 1;
	}
	state.blocks.push(record);
	for (key, outcome) in rounds {
		state.rounds.insert(key, outcome);
	}
	state.reveals.extend(settled_reveals);
	Ok(())
}

/// The variant name of field `name` of an event's fields.
fn variant_of<'a>(value: &'a dynamic::Value, name: &str) -> Option<&'a str> {
	use defaas_client::subxt::ext::scale_value::{Composite, ValueDef};
	let ValueDef::Composite(Composite::Named(fields)) = &value.value else { return None };
	let (_, field) = fields.iter().find(|(n, _)| n == name)?;
	match &field.value {
		ValueDef::Variant(variant) => Some(variant.name.as_str()),
		_ => None,
	}
}

fn share(used: u64, max: u64) -> f64 {
	if max == 0 {
		0.0
	} else {
		used as f64 / max as f64
	}
}
