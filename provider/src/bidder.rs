//! The bid engine: follows the best block and walks each order the provider bids on through
//! commit → reveal → confirm → (deployment by the customer) → fulfill, then cleans up when
//! the order ends (docs/architecture.md §5.4, §8).
//!
//! The time-critical steps (commit, reveal, confirm, fulfill) are taken from the best block's
//! state — a window of three blocks leaves no room for the one to two blocks finality lags
//! behind. What cannot be undone is taken from finalized state only: a bid record (its salt) is
//! dropped and a function undeployed when the *finalized* order says so, so a short reorg never
//! loses a salt or a running deployment. [`next_step`] is a pure function of the order and of
//! this provider's bid as the same block shows them, so a restarted daemon simply picks up where
//! the chain is, and a `commit_bid` or `reveal_bid` that a re-organisation dropped (or that ran
//! on a branch where the order did not exist yet) is submitted again. The bid's salt is written
//! to the store *before* `commit_bid` is submitted: a crash can never lose a salt of a
//! commitment that is on chain.

use crate::{
	chain::{self, Chain, Head},
	config::Config,
	host::FunctionHost,
	pool::gateway::Gateway,
	shutdown::Shutdown,
	store::{BidRecord, Store},
};
use defaas_client::amount::parse_amount;
use defaas_client::chain::BidOnChain;
use defaas_client::subxt::dynamic::Value as DynValue;
use defaas_client::views::{self, OrderState, OrderView, PaymentAsset};
use defaas_primitives::commitments::bid_commitment;
use serde_json::Value;
use std::{
	collections::{HashMap, HashSet},
	sync::Arc,
	time::Duration,
};
use tokio::{io::AsyncWriteExt, sync::mpsc::UnboundedReceiver};

/// Blocks after which an unconfirmed submission of the same step is sent again.
const RESUBMIT_AFTER_BLOCKS: u64 = 3;

/// What the engine does next for one of its bids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Step {
	/// Submit (or resubmit) `commit_bid`.
	Commit,
	/// Submit `reveal_bid` with the stored price and salt.
	Reveal,
	/// Submit `confirm_order`: the auction chose this provider.
	Confirm,
	/// Submit `fulfill`: the lease exists and the function is deployed here.
	Fulfill,
	/// Submit `dispute_handoff`: the deploy deadline is near and no valid package arrived
	/// (docs/architecture.md §5.3); the customer must publish it, a committee judges.
	Dispute,
	/// Nothing to do now.
	Wait,
	/// The bid is over (lost, lease running or order ended): drop the bid record.
	Forget,
}

/// This provider's bid on an order as one block shows it (`Market.Bids`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnChain {
	/// No bid of this provider: not committed yet, dropped by a re-organisation, or not among
	/// the candidates once the auction closed.
	Absent,
	/// Committed, price not revealed.
	Sealed,
	/// Committed and revealed.
	Revealed,
}

impl OnChain {
	/// The bid of `me` among an order's `bids`.
	pub fn find(bids: &[BidOnChain], me: &[u8; 32]) -> Self {
		match bids.iter().find(|bid| bid.provider == *me) {
			None => Self::Absent,
			Some(bid) if bid.revealed => Self::Revealed,
			Some(_) => Self::Sealed,
		}
	}
}

/// Blocks before the deploy deadline at which a provider still without a valid package
/// disputes the hand-off (the dispute must be included before the deadline).
pub const DISPUTE_MARGIN: u64 = 3;

/// The next step for a stored bid, given the order and this provider's bid (`ours`) as the
/// chain shows them at block `now`.
pub fn next_step(
	order: Option<&OrderView>,
	ours: OnChain,
	me: &[u8; 32],
	deployed: bool,
	now: u64,
) -> Step {
	let Some(order) = order else { return Step::Forget };
	let mine = chain::matched_provider(order).as_ref() == Some(me);
	match order.state {
		OrderState::Bidding { .. } if ours == OnChain::Absent => Step::Commit,
		OrderState::Bidding { .. } => Step::Wait,
		OrderState::Revealing { .. } if ours == OnChain::Sealed => Step::Reveal,
		// Revealed, or the commit never made it: the auction passes this bid by.
		OrderState::Revealing { .. } => Step::Wait,
		// Another candidate may still fail to confirm: keep the bid until the order moves on.
		OrderState::Confirming { .. } if mine => Step::Confirm,
		OrderState::Confirming { .. } if ours == OnChain::Revealed => Step::Wait,
		// A package that arrives during a dispute (uploaded after all) is deployed too.
		OrderState::Deploying { .. }
		| OrderState::HandoffDisputed { .. }
		| OrderState::HandoffChecking { .. }
			if mine && deployed =>
		{
			Step::Fulfill
		},
		OrderState::Deploying { deploy_until }
			if mine && now.saturating_add(DISPUTE_MARGIN) >= u64::from(deploy_until) =>
		{
			Step::Dispute
		},
		OrderState::Deploying { .. }
		| OrderState::HandoffDisputed { .. }
		| OrderState::HandoffChecking { .. }
			if mine =>
		{
			Step::Wait
		},
		_ => Step::Forget,
	}
}

/// Whether a deployment of `order` is no longer this provider's to serve: the order ended, or
/// its lease belongs to another provider.
pub fn retired(order: &OrderView, me: &[u8; 32]) -> bool {
	views::is_terminal(&order.state) || order.provider.as_ref().is_some_and(|p| p.0 != *me)
}

/// A new sealed bid of `provider` on `order_id` (of `level`) at unit `price`, with `salt`: the
/// record to store before `commit_bid` carries its commitment, [`bid_commitment`] of the price
/// as the runtime's `u128` balance (what the market pallet checks at reveal).
pub fn seal_bid(
	order_id: u64,
	level: u32,
	price: u128,
	salt: [u8; 32],
	provider: &[u8; 32],
) -> BidRecord {
	let commitment = bid_commitment(order_id, &price, &salt, provider);
	BidRecord { price, salt, commitment, level }
}

/// The bid engine.
pub struct Bidder {
	chain: Chain,
	config: Arc<Config>,
	store: Arc<Store>,
	host: Arc<FunctionHost>,
	/// The pool this provider is the gateway of: its workers run the deployments.
	pool: Option<Arc<Gateway>>,
	/// Steps submitted and not yet visible on chain, with the best block of submission.
	pending: HashMap<(u64, Step), u64>,
	/// Open orders already passed over for lack of capacity or price (logged once).
	passed: HashSet<u64>,
	/// Decimals of the payment assets seen so far, by asset id.
	decimals: HashMap<u32, u32>,
}

impl Bidder {
	/// An engine acting for the provider of `chain`.
	pub fn new(
		chain: Chain,
		config: Arc<Config>,
		store: Arc<Store>,
		host: Arc<FunctionHost>,
	) -> Self {
		Self {
			chain,
			config,
			store,
			host,
			pool: None,
			pending: HashMap::new(),
			passed: HashSet::new(),
			decimals: HashMap::new(),
		}
	}

	/// The engine of a pool's gateway: a deployment counts as deployed while a live worker
	/// serves it, and a retired one is withdrawn from the pool.
	pub fn with_pool(mut self, pool: Arc<Gateway>) -> Self {
		self.pool = Some(pool);
		self
	}

	/// Whether the function of `order_id` is deployed (here, or on the pool's workers).
	fn is_deployed(&self, order_id: u64) -> bool {
		match &self.pool {
			Some(pool) => pool.serving(order_id) > 0,
			None => self.host.is_deployed(order_id),
		}
	}

	/// Runs until `shutdown` is triggered: one pass per new best block, and an immediate
	/// `fulfill` whenever the deployment API reports a new deployment. A pass under way when
	/// the shutdown comes is finished first (the engine stops between passes).
	pub async fn run(mut self, mut deployed: UnboundedReceiver<u64>, shutdown: Shutdown) {
		let mut last: Option<Head> = None;
		let mut ticker = tokio::time::interval(Duration::from_millis(500));
		loop {
			tokio::select! {
				biased;
				() = shutdown.triggered() => break,
				Some(order_id) = deployed.recv() => {
					if let Err(e) = self.on_deployed(order_id).await {
						log::warn!("order {order_id}: fulfil after deployment: {e:#}");
					}
				},
				_ = ticker.tick() => {
					let head = match self.chain.best_head().await {
						Ok(head) => head,
						Err(e) => {
							log::warn!("reading the best head: {e:#}");
							continue;
						},
					};
					if last.is_some_and(|last| last.hash == head.hash) {
						continue;
					}
					let finalized = match self.chain.finalized_head().await {
						Ok(finalized) => finalized,
						Err(e) => {
							log::warn!("reading the finalized head: {e:#}");
							continue;
						},
					};
					if let Err(e) = self.on_block(head, finalized).await {
						log::warn!("block {}: {e:#}", head.number);
					}
					last = Some(head);
				},
			}
		}
		log::info!("bid engine stopped");
	}

	/// One pass at best block `head`, with `finalized` for what cannot be undone.
	pub async fn on_block(&mut self, head: Head, finalized: Head) -> anyhow::Result<()> {
		self.pending.retain(|_, at| at.saturating_add(RESUBMIT_AFTER_BLOCKS) > head.number);
		self.bid_on_open_orders(head).await?;
		self.advance_bids(head, finalized).await?;
		self.retire_deployments(finalized).await
	}

	/// Commits a sealed bid on every open order this provider serves, has capacity for and
	/// whose price policy gives a price within the order's maximum.
	async fn bid_on_open_orders(&mut self, head: Head) -> anyhow::Result<()> {
		let mut bids = self.store.bids()?;
		for order in self.chain.open_orders(Some(head.hash)).await? {
			if !matches!(order.state, OrderState::Bidding { .. }) {
				continue;
			}
			let (order_id, level, max) = (order.order_id, order.level, order.max_unit_price);
			if bids.iter().any(|(id, _)| *id == order_id) {
				continue;
			}
			// Only orders in an asset this level has a price in.
			if self.config.level(level).and_then(|p| p.price_in(&order.asset)).is_none() {
				if self.passed.insert(order_id) {
					log::info!(
						"order {order_id}: pays in {:?}, which level {level} has no price in; \
						 not bidding",
						order.asset
					);
				}
				continue;
			}
			if !self.has_capacity(level, &bids)? {
				if self.passed.insert(order_id) {
					log::info!("order {order_id}: level {level} at capacity; not bidding");
				}
				continue;
			}
			let Some(price) = self.price(&order, level).await else { continue };
			if price > max {
				log::info!("order {order_id}: our price {price} is above its maximum {max}");
				continue;
			}
			let record = seal_bid(order_id, level, price, rand::random(), &self.chain.account());
			// The salt is durable before the commitment leaves the process.
			self.store.put_bid(order_id, &record)?;
			self.step(head, order_id, &record, Step::Commit).await;
			// Counts against the capacity for the next orders of this pass.
			bids.push((order_id, record));
		}
		Ok(())
	}

	/// Moves every stored bid one step along the order's state at `head`; a bid is dropped
	/// only once the order at `finalized` is done with it too.
	async fn advance_bids(&mut self, head: Head, finalized: Head) -> anyhow::Result<()> {
		let me = self.chain.account();
		for (order_id, record) in self.store.bids()? {
			let order = self.chain.order(order_id, Some(head.hash)).await?;
			let ours = self.ours(order.as_ref(), head).await?;
			let deployed = self.is_deployed(order_id);
			let step = next_step(order.as_ref(), ours, &me, deployed, head.number);
			match step {
				Step::Wait => {},
				Step::Forget => {
					let order = self.chain.order(order_id, Some(finalized.hash)).await?;
					let ours = self.ours(order.as_ref(), finalized).await?;
					if next_step(order.as_ref(), ours, &me, deployed, finalized.number)
						!= Step::Forget
					{
						continue;
					}
					log::info!(
						"order {order_id}: bid done ({})",
						order.as_ref().map(|o| views::state_name(&o.state)).unwrap_or("pruned")
					);
					self.store.remove_bid(order_id)?;
				},
				_ => self.step(head, order_id, &record, step).await,
			}
		}
		Ok(())
	}

	/// This provider's bid on `order` at `head`; read only while the auction needs it.
	async fn ours(&self, order: Option<&OrderView>, head: Head) -> anyhow::Result<OnChain> {
		let Some(order) = order else { return Ok(OnChain::Absent) };
		if !matches!(
			order.state,
			OrderState::Bidding { .. }
				| OrderState::Revealing { .. }
				| OrderState::Confirming { .. }
		) {
			return Ok(OnChain::Absent);
		}
		let bids = self.chain.bids(order.order_id, head.hash).await?;
		Ok(OnChain::find(&bids, &self.chain.account()))
	}

	/// Undeploys functions whose order ended or whose lease went to another provider, as the
	/// finalized block `head` shows it.
	async fn retire_deployments(&mut self, head: Head) -> anyhow::Result<()> {
		let me = self.chain.account();
		for order_id in self.store.deployment_ids()? {
			let order = self.chain.order(order_id, Some(head.hash)).await?;
			if order.as_ref().is_none_or(|order| retired(order, &me)) {
				log::info!("order {order_id}: over for this provider; undeploying its function");
				// Out of the pool first: a failure leaves the store's record for the next pass.
				if let (Some(pool), Some(spec)) =
					(&self.pool, self.store.deployment_spec(order_id)?)
				{
					let in_use = self.store.deployments()?.iter().any(|(other, record)| {
						*other != order_id && record.spec.package_hash == spec.package_hash
					});
					pool.withdraw(order_id, &spec, in_use).await?;
				}
				self.host.undeploy(order_id);
				self.store.remove_deployment(order_id)?;
			}
		}
		Ok(())
	}

	/// The deployment API stored a new deployment: fulfil at once if the lease waits for it.
	async fn on_deployed(&mut self, order_id: u64) -> anyhow::Result<()> {
		let Some(order) = self.chain.order(order_id, None).await? else { return Ok(()) };
		let me = self.chain.account();
		if matches!(order.state, OrderState::Deploying { .. })
			&& chain::matched_provider(&order) == Some(me)
		{
			let head = self.chain.best_head().await?;
			if let Some(record) = self.store.bid(order_id)? {
				self.step(head, order_id, &record, Step::Fulfill).await;
			} else {
				self.submit_fulfill(head, order_id).await;
			}
		}
		Ok(())
	}

	/// Submits `step` for `order_id` unless it is already pending.
	async fn step(&mut self, head: Head, order_id: u64, record: &BidRecord, step: Step) {
		if self.pending.contains_key(&(order_id, step)) {
			return;
		}
		let (call, args) = match step {
			Step::Commit => (
				"commit_bid",
				vec![DynValue::u128(order_id.into()), DynValue::from_bytes(record.commitment)],
			),
			Step::Reveal => (
				"reveal_bid",
				vec![
					DynValue::u128(order_id.into()),
					DynValue::u128(record.price),
					DynValue::from_bytes(record.salt),
				],
			),
			Step::Confirm => ("confirm_order", vec![DynValue::u128(order_id.into())]),
			Step::Dispute => ("dispute_handoff", vec![DynValue::u128(order_id.into())]),
			Step::Fulfill => return self.submit_fulfill(head, order_id).await,
			Step::Wait | Step::Forget => return,
		};
		match self.chain.submit("Market", call, args).await {
			Ok(()) => {
				log::info!("order {order_id}: {call} submitted at block {}", head.number);
				// Not again for a few blocks; after that, again if the chain still lacks it.
				self.pending.insert((order_id, step), head.number);
			},
			Err(e) => log::warn!("order {order_id}: {call}: {e:#}"),
		}
	}

	async fn submit_fulfill(&mut self, head: Head, order_id: u64) {
		if self.pending.contains_key(&(order_id, Step::Fulfill)) {
			return;
		}
		match self.chain.submit("Market", "fulfill", vec![DynValue::u128(order_id.into())]).await {
			Ok(()) => {
				log::info!("order {order_id}: fulfill submitted");
				self.pending.insert((order_id, Step::Fulfill), head.number);
			},
			Err(e) => log::warn!("order {order_id}: fulfill: {e:#}"),
		}
	}

	/// Whether another lease of `level` fits: running deployments plus bids still in play stay
	/// below the configured capacity.
	fn has_capacity(&self, level: u32, bids: &[(u64, BidRecord)]) -> anyhow::Result<bool> {
		let Some(policy) = self.config.level(level) else { return Ok(false) };
		let deployments = self.store.deployment_levels()?;
		let running = deployments.iter().filter(|(_, l)| *l == level).count();
		let bidding = bids
			.iter()
			.filter(|(id, bid)| bid.level == level && !deployments.iter().any(|(d, _)| d == id))
			.count();
		Ok(running.saturating_add(bidding) < policy.capacity as usize)
	}

	/// The decimals of the amounts of `asset` (FST's, or the asset's metadata on chain, read
	/// once); `None` if the asset cannot be read.
	async fn decimals(&mut self, asset: &PaymentAsset) -> Option<u32> {
		let PaymentAsset::WithId(id) = asset else { return Some(defaas_client::amount::DECIMALS) };
		if let Some(decimals) = self.decimals.get(id) {
			return Some(*decimals);
		}
		match self.chain.asset_info(asset).await {
			Ok(Some(info)) => {
				self.decimals.insert(*id, info.decimals);
				Some(info.decimals)
			},
			Ok(None) => {
				log::warn!("asset {id} does not exist");
				None
			},
			Err(e) => {
				log::warn!("reading the metadata of asset {id}: {e:#}");
				None
			},
		}
	}

	/// The unit price to bid on `order`, in the smallest unit of its payment asset: the level's
	/// configured price in that asset, or what the pricing script answers. `None`: do not bid.
	async fn price(&mut self, order: &OrderView, level: u32) -> Option<u128> {
		let text = self.config.level(level)?.price_in(&order.asset)?.to_string();
		let decimals = self.decimals(&order.asset).await?;
		let base = parse_amount(&text, decimals).ok()?;
		let Some(script) = &self.config.pricing.script else { return Some(base) };
		let input = pricing_input(order, base);
		let timeout = Duration::from_secs(self.config.pricing.timeout_secs);
		match tokio::time::timeout(timeout, run_script(script, &input)).await {
			Ok(Ok(answer)) => parse_script_answer(&answer, decimals),
			Ok(Err(e)) => {
				log::warn!("pricing script {}: {e:#}", script.display());
				None
			},
			Err(_) => {
				log::warn!("pricing script {} timed out", script.display());
				None
			},
		}
	}
}

/// What the pricing script reads on stdin: the order as the node wrote it (balances as decimal
/// strings) plus `"basePrice"`, the level's configured price in plancks, a decimal string too.
pub fn pricing_input(order: &OrderView, base_price: u128) -> Value {
	let mut input = serde_json::to_value(order).unwrap_or(Value::Null);
	if let Some(fields) = input.as_object_mut() {
		fields.insert("basePrice".into(), Value::String(base_price.to_string()));
	}
	input
}

/// Runs the pricing script with `input` on stdin and returns its stdout.
async fn run_script(script: &std::path::Path, input: &Value) -> anyhow::Result<String> {
	let mut child = tokio::process::Command::new(script)
		.stdin(std::process::Stdio::piped())
		.stdout(std::process::Stdio::piped())
		.kill_on_drop(true)
		.spawn()?;
	if let Some(mut stdin) = child.stdin.take() {
		stdin.write_all(input.to_string().as_bytes()).await?;
	}
	let output = child.wait_with_output().await?;
	anyhow::ensure!(output.status.success(), "exited with {}", output.status);
	Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// A pricing script's answer: a price in the order's payment asset (decimal, `decimals`
/// decimals: FST's 12 for an FST order), or `skip`.
pub fn parse_script_answer(answer: &str, decimals: u32) -> Option<u128> {
	let answer = answer.trim();
	if answer.eq_ignore_ascii_case("skip") {
		return None;
	}
	parse_amount(answer, decimals).ok()
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::chain::tests::{order as view, ALICE};
	use serde_json::json;

	const ME: [u8; 32] = [1; 32];

	fn me_ss58() -> String {
		defaas_client::subxt::utils::AccountId32(ME).to_string()
	}

	use OnChain::{Absent, Revealed, Sealed};

	#[test]
	fn each_state_gives_its_step() {
		let state = view;
		let bidding = state(json!({"bidding": {"biddingEnds": 5}}), Value::Null);
		assert_eq!(next_step(Some(&bidding), Absent, &ME, false, 0), Step::Commit);
		assert_eq!(next_step(Some(&bidding), Sealed, &ME, false, 0), Step::Wait);
		let revealing = state(json!({"revealing": {"revealEnds": 9}}), Value::Null);
		assert_eq!(next_step(Some(&revealing), Sealed, &ME, false, 0), Step::Reveal);
		assert_eq!(next_step(Some(&revealing), Revealed, &ME, false, 0), Step::Wait);
		// The commit never reached the chain: nothing to reveal.
		assert_eq!(next_step(Some(&revealing), Absent, &ME, false, 0), Step::Wait);
		let mine = state(
			json!({"confirming": {"candidate": me_ss58(), "price": "3", "confirmUntil": 9}}),
			Value::Null,
		);
		assert_eq!(next_step(Some(&mine), Revealed, &ME, false, 0), Step::Confirm);
		let theirs = state(
			json!({"confirming": {"candidate": ALICE, "price": "3", "confirmUntil": 9}}),
			Value::Null,
		);
		assert_eq!(next_step(Some(&theirs), Revealed, &ME, false, 0), Step::Wait);
		assert_eq!(next_step(Some(&theirs), Absent, &ME, false, 0), Step::Forget);
		let deploying = state(json!({"deploying": {"deployUntil": 30}}), json!(me_ss58()));
		assert_eq!(next_step(Some(&deploying), Absent, &ME, false, 0), Step::Wait);
		assert_eq!(next_step(Some(&deploying), Absent, &ME, true, 0), Step::Fulfill);
		// No valid package by the dispute margin: dispute the hand-off (not at 26, at 27).
		assert_eq!(next_step(Some(&deploying), Absent, &ME, false, 26), Step::Wait);
		assert_eq!(next_step(Some(&deploying), Absent, &ME, false, 27), Step::Dispute);
		assert_eq!(next_step(Some(&deploying), Absent, &ME, true, 29), Step::Fulfill);
		for disputed in [
			state(json!({"handoffDisputed": {"publishUntil": 40}}), json!(me_ss58())),
			state(json!({"handoffChecking": {"verdictDue": 60}}), json!(me_ss58())),
		] {
			assert_eq!(next_step(Some(&disputed), Absent, &ME, false, 35), Step::Wait);
			assert_eq!(next_step(Some(&disputed), Absent, &ME, true, 35), Step::Fulfill);
		}
		let lost = state(json!({"deploying": {"deployUntil": 30}}), json!(ALICE));
		assert_eq!(next_step(Some(&lost), Absent, &ME, true, 0), Step::Forget);
		let running =
			state(json!({"fulfilling": {"round": 0, "verdictDue": 40}}), json!(me_ss58()));
		assert_eq!(next_step(Some(&running), Absent, &ME, true, 0), Step::Forget);
		assert_eq!(next_step(None, Absent, &ME, true, 0), Step::Forget);
	}

	/// A re-organisation: `commit_bid` ran on a branch the best chain left (or on one where the
	/// order did not exist yet). The next block still shows the order bidding without this
	/// provider's bid, so the engine commits again; and a reveal lost the same way is sent again
	/// while the order reveals.
	#[test]
	fn a_bid_lost_to_a_reorg_is_sent_again() {
		let bidding = view(json!({"bidding": {"biddingEnds": 5}}), Value::Null);
		let other = BidOnChain { provider: [7; 32], commitment: [1; 32], revealed: false };
		let ours = BidOnChain { provider: ME, commitment: [8; 32], revealed: false };
		// Before the fork: our commit is in; after it, only another provider's.
		let before = OnChain::find(&[other.clone(), ours.clone()], &ME);
		assert_eq!(before, Sealed);
		assert_eq!(next_step(Some(&bidding), before, &ME, false, 3), Step::Wait);
		let after = OnChain::find(std::slice::from_ref(&other), &ME);
		assert_eq!(after, Absent);
		assert_eq!(next_step(Some(&bidding), after, &ME, false, 4), Step::Commit);
		let revealing = view(json!({"revealing": {"revealEnds": 9}}), Value::Null);
		let revealed = BidOnChain { revealed: true, ..ours.clone() };
		assert_eq!(OnChain::find(&[other.clone(), revealed], &ME), Revealed);
		assert_eq!(next_step(Some(&revealing), Revealed, &ME, false, 7), Step::Wait);
		// The reveal's block was re-organised away: the bid is sealed again.
		let sealed = OnChain::find(&[other, ours], &ME);
		assert_eq!(next_step(Some(&revealing), sealed, &ME, false, 8), Step::Reveal);
	}

	#[test]
	fn deployments_are_retired_only_when_the_order_ended_or_went_elsewhere() {
		let order = view;
		// The finalized state may lag the customer's upload: still revealing, no candidate.
		assert!(!retired(&order(json!({"revealing": {"revealEnds": 9}}), Value::Null), &ME));
		assert!(!retired(
			&order(
				json!({"confirming": {"candidate": ALICE, "price": "3", "confirmUntil": 9}}),
				Value::Null
			),
			&ME
		));
		assert!(!retired(
			&order(json!({"fulfilling": {"round": 0, "verdictDue": 40}}), json!(me_ss58())),
			&ME
		));
		assert!(retired(&order(json!({"deploying": {"deployUntil": 30}}), json!(ALICE)), &ME));
		assert!(retired(&order(json!({"finished": {"pruneAt": 9}}), json!(me_ss58())), &ME));
		assert!(retired(
			&order(
				json!({"cancelled": {"reason": "customerCancelled", "pruneAt": 9}}),
				Value::Null
			),
			&ME
		));
	}

	#[test]
	fn a_sealed_bid_carries_the_pallets_commitment() {
		// blake2_256(SCALE(order_id: u64, price: u128, salt, provider)).
		let mut bytes = 7u64.to_le_bytes().to_vec();
		bytes.extend(5u128.to_le_bytes());
		bytes.extend([3u8; 32]);
		bytes.extend(ME);
		let record = seal_bid(7, 2, 5, [3; 32], &ME);
		assert_eq!(record.commitment, sp_crypto_hashing::blake2_256(&bytes));
		assert_eq!((record.price, record.salt, record.level), (5, [3; 32], 2));
	}

	#[test]
	fn the_pricing_script_gets_exact_decimal_strings() {
		let order = view(json!({"bidding": {"biddingEnds": 5}}), Value::Null);
		let input = pricing_input(&order, 2_500_000_000_001);
		assert_eq!(input["basePrice"], "2500000000001");
		assert_eq!(input["maxUnitPrice"], "340282366920938463463374607431768211455");
		assert_eq!(input["orderId"], 12);
		assert_eq!(input["state"]["bidding"]["biddingEnds"], 5);
	}

	#[test]
	fn script_answers_parse() {
		assert_eq!(parse_script_answer("2.5\n", 12), Some(2_500_000_000_000));
		assert_eq!(parse_script_answer("2.5\n", 6), Some(2_500_000));
		assert_eq!(parse_script_answer(" skip ", 12), None);
		assert_eq!(parse_script_answer("cheap", 12), None);
	}
}
