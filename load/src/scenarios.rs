//! The scenarios. Each takes its accounts from the `bench` preset's range, pre-signs a phase's
//! transactions, submits them in bulk and waits until they are finalized (or given up as
//! dropped), then goes on with the next phase.
//!
//! - `transfers`: `Balances.transfer_keep_alive` of 1 FST from N untouched accounts to N
//!   others — the sTPS baseline.
//! - `orders`: P providers register and announce capacity, K customers create an order each
//!   (committee of one, drawn from the preset's genesis witnesses), each order gets
//!   a sealed bid from one provider (round robin), the bids are revealed, the winners confirm
//!   and fulfill — every market extrinsic of an auction, K times.

use crate::{
	observe::{RoundOutcome, Tracker, Until},
	report::{LeaseLoad, PhaseReport},
	submit::{self, At, Signed},
};
use anyhow::{ensure, Context, Result};
use defaas_client::{
	accounts::{account_id, keypair},
	market::{create_order_args, OrderTerms},
	subxt::rpcs::rpc_params,
	subxt::{dynamic::Value, utils::H256},
	subxt_signer::sr25519::Keypair,
	views::{OrderState, OrderView, PaymentAsset},
	Chain,
};
use defaas_primitives::{
	bench,
	commitments::bid_commitment,
	json::{from_hex, to_hex},
	worker_stats::{WorkerStats, WORKER_STATS_KEY},
};
use futures::{stream, StreamExt, TryStreamExt};
use std::{collections::BTreeMap, sync::Arc};

/// 1 FST in plancks (12 decimals).
pub const FST: u128 = 1_000_000_000_000;

/// What every scenario works with.
pub struct Ctx {
	/// One connection per (node, lane); the first one also reads state.
	pub connections: Vec<Chain>,
	/// The observer.
	pub tracker: Arc<Tracker>,
	/// The next unused `bench` account.
	pub next_account: u32,
	/// Finalized blocks to wait without progress before the rest of a phase counts as
	/// dropped.
	pub patience: u32,
	/// Every phase's transactions, in order.
	pub sent: Vec<(String, Vec<H256>)>,
	/// Outcomes that are not transaction counts.
	pub outcomes: Vec<(String, String)>,
	/// The `leases` scenario's monitoring cost.
	pub leases: Option<LeaseLoad>,
	/// Funds the accounts a scenario takes (a chain without the `bench` preset's
	/// endowments, e.g. the test suite's network); `None` on a `bench` chain.
	pub funder: Option<Keypair>,
	/// Accounts taken but not funded yet, with their amounts.
	pub to_fund: Vec<([u8; 32], u128)>,
}

/// A `bench` account with its key.
pub struct Account {
	/// Its key.
	pub pair: Keypair,
	/// Its next nonce, kept here once read.
	pub nonce: u64,
}

impl Ctx {
	fn chain(&self) -> &Chain {
		// `main` never builds a context without connections.
		&self.connections[0]
	}

	/// The next `count` unused `bench` accounts with their nonces; with a funder, each is to
	/// get `amount` at the next [`Self::fund`].
	pub async fn take(&mut self, count: u32, amount: u128) -> Result<Vec<Account>> {
		let first = self.next_account;
		let end = first.checked_add(count).context("account index overflow")?;
		ensure!(
			end <= bench::FIRST_WITNESS,
			"the bench preset has {} accounts that are not witnesses; this run needs {end}",
			bench::FIRST_WITNESS
		);
		self.next_account = end;
		let pairs = tokio::task::spawn_blocking(move || {
			(first..end).map(|i| keypair(&bench::account_suri(i))).collect::<Result<Vec<_>>>()
		})
		.await
		.context("deriving accounts")??;
		if self.funder.is_some() {
			self.to_fund.extend(pairs.iter().map(|pair| (account_id(pair).0, amount)));
		}
		let chain = self.chain().clone();
		stream::iter(pairs)
			.map(|pair| {
				let chain = chain.clone();
				async move {
					let nonce = chain.next_nonce(&pair).await?;
					Ok::<_, anyhow::Error>(Account { pair, nonce })
				}
			})
			.buffered(64)
			.try_collect()
			.await
	}

	/// With a funder: transfers what [`Self::take`] noted to the accounts taken since the last
	/// call (one phase, `<scenario>.fund`).
	pub async fn fund(&mut self, scenario: &str) -> Result<()> {
		let Some(funder) = self.funder.clone() else { return Ok(()) };
		if self.to_fund.is_empty() {
			return Ok(());
		}
		let at = self.at().await?;
		let mut nonce = self.chain().next_nonce(&funder).await?;
		let mut txs = Vec::with_capacity(self.to_fund.len());
		for (account, amount) in std::mem::take(&mut self.to_fund) {
			let args = vec![
				Value::unnamed_variant("Id", [Value::from_bytes(account)]),
				Value::u128(amount),
			];
			txs.push(submit::sign(&at, &funder, nonce, "Balances.transfer_keep_alive", args, 0)?);
			nonce += 1;
		}
		let records = self.phase(&format!("{scenario}.fund"), txs, Until::Finalized).await?;
		let funded = records.iter().filter(|r| r.finalized.is_some() && !r.failed).count();
		ensure!(funded == records.len(), "only {funded} of {} accounts funded", records.len());
		Ok(())
	}

	/// Signs against the current block's metadata.
	async fn at(&self) -> Result<At> {
		self.chain().api.at_current_block().await.context("the current block")
	}

	/// Submits one phase and waits until its transactions are in blocks (`until`); the
	/// phase's records so far. Its report is made at the end of the run ([`Self::finish`]),
	/// once everything sent is finalized or given up.
	async fn phase(
		&mut self,
		name: &str,
		txs: Vec<Signed>,
		until: Until,
	) -> Result<Vec<crate::observe::Sent>> {
		let hashes: Vec<H256> = txs.iter().map(|tx| tx.hash).collect();
		let submitted = submit::submit_all(&self.connections, txs, &self.tracker).await?;
		let missing = self.tracker.settle(&hashes, until, self.patience).await;
		eprintln!(
			"defaas-load: {name}: {} accepted, {} refused, {missing} not {}",
			submitted.accepted,
			submitted.refused,
			if until == Until::InBlock { "in a block" } else { "finalized" },
		);
		let records = self.tracker.records(&hashes);
		print_failures(name, &records);
		self.sent.push((name.to_owned(), hashes));
		Ok(records)
	}

	/// Waits until everything sent is finalized (or `patience` finalized blocks pass without
	/// progress) and reports every phase.
	pub async fn finish(&mut self) -> Vec<PhaseReport> {
		let all: Vec<H256> = self.sent.iter().flat_map(|(_, hashes)| hashes.clone()).collect();
		self.tracker.settle(&all, Until::Finalized, self.patience).await;
		let (_, blocks) = self.tracker.snapshot();
		self.sent
			.iter()
			.map(|(name, hashes)| PhaseReport::new(name, &self.tracker.records(hashes), &blocks))
			.collect()
	}

	/// The current (best) views of `orders`, in order; an order that is gone counts as
	/// failed.
	async fn orders(&self, orders: &[u64]) -> Result<Vec<OrderView>> {
		let chain = self.chain().clone();
		stream::iter(orders.to_vec())
			.map(|order| {
				let chain = chain.clone();
				async move {
					let view = chain.order_at(order, None).await?;
					view.with_context(|| format!("order {order} is gone"))
				}
			})
			.buffered(32)
			.try_collect()
			.await
	}
}

/// Prints how many of a phase's transactions failed, per dispatch error (known once their
/// blocks are finalized).
fn print_failures(phase: &str, records: &[crate::observe::Sent]) {
	let mut errors: BTreeMap<&str, u32> = BTreeMap::new();
	for error in records.iter().filter_map(|r| r.error.as_deref()) {
		*errors.entry(error).or_default() += 1;
	}
	for (error, count) in errors {
		eprintln!("defaas-load: {phase}: {count} failed with {error}");
	}
	let unfinalized = records.iter().filter(|r| r.finalized.is_none()).count();
	if unfinalized > 0 {
		eprintln!("defaas-load: {phase}: {unfinalized} not in a finalized block");
	}
}

/// Signs one transaction per account, each with the account's next nonce.
fn sign_each<'a>(
	at: &At,
	accounts: impl IntoIterator<Item = (usize, &'a mut Account)>,
	kind: &'static str,
	args: impl Fn(usize) -> Vec<Value>,
) -> Result<Vec<Signed>> {
	accounts
		.into_iter()
		.map(|(index, account)| {
			let tx = submit::sign(at, &account.pair, account.nonce, kind, args(index), index)?;
			account.nonce += 1;
			Ok(tx)
		})
		.collect()
}

/// `transfers`: `count` transfers between untouched accounts.
pub async fn transfers(ctx: &mut Ctx, count: u32) -> Result<()> {
	let mut senders = ctx.take(count, 10 * FST).await?;
	let receivers = ctx.take(count, 10 * FST).await?;
	ctx.fund("transfers").await?;
	let at = ctx.at().await?;
	let txs =
		sign_each(&at, senders.iter_mut().enumerate(), "Balances.transfer_keep_alive", |i| {
			let to = receivers.get(i).map(|r| account_id(&r.pair).0).unwrap_or_default();
			vec![Value::unnamed_variant("Id", [Value::from_bytes(to)]), Value::u128(FST)]
		})?;
	ctx.phase("transfers", txs, Until::InBlock).await?;
	Ok(())
}

/// The auctions of a scenario.
pub struct OrderLoad {
	/// Orders.
	pub orders: u32,
	/// Providers bidding on them (round robin).
	pub providers: u32,
	/// Bid window in blocks.
	pub bid_window: u32,
	/// The FaaS level of the orders (the providers offer only it).
	pub level: u32,
	/// Witnesses per round.
	pub committee: u32,
	/// Billing periods (= rounds) per lease.
	pub periods: u32,
	/// The endpoint the providers register (what the witnesses probe).
	pub endpoint: String,
}

/// Best blocks after the reveals within which every auction must have closed.
const CONFIRM_PATIENCE: u32 = 60;

/// Highest unit price of a load order.
const MAX_UNIT_PRICE: u128 = 10 * FST;

/// Runs `load.orders` auctions to fulfilled leases, phases named `<scenario>.<step>`: the
/// providers register and announce capacity, each customer creates an order, order i gets a
/// sealed bid from provider i mod P, the bids are revealed, the winners confirm and fulfill.
/// The ids of the orders created.
async fn auctions(ctx: &mut Ctx, scenario: &str, load: &OrderLoad) -> Result<Vec<u64>> {
	ensure!(load.orders > 0 && load.providers > 0, "orders and providers must be positive");
	// Providers stake 1,000 FST and hold a 10 FST deposit per bid; customers prepay twice the
	// maximum fee.
	let per_provider = u128::from(load.orders.div_ceil(load.providers));
	let prepay = 2 * u128::from(load.periods) * MAX_UNIT_PRICE;
	let mut providers = ctx.take(load.providers, 1_100 * FST + per_provider * 11 * FST).await?;
	let mut customers = ctx.take(load.orders, prepay + 10 * FST).await?;
	ctx.fund(scenario).await?;
	let phase = |step: &str| format!("{scenario}.{step}");

	// Setup: providers register (each its own heartbeat key) and announce capacity.
	let (capacity, level) = (load.orders.div_ceil(load.providers), load.level);
	let at = ctx.at().await?;
	let mut setup = Vec::new();
	for (lane, provider) in providers.iter_mut().enumerate() {
		let key = account_id(&provider.pair).0;
		let register = vec![
			Value::u128(1_000 * FST),
			Value::from_bytes(load.endpoint.as_bytes()),
			Value::unnamed_composite([Value::u128(u128::from(level))]),
			Value::from_bytes(key),
		];
		let heartbeat = vec![Value::unnamed_composite([Value::unnamed_composite([
			Value::u128(u128::from(level)),
			Value::u128(u128::from(capacity)),
		])])];
		for (call, args) in
			[("Market.register_provider", register), ("Market.heartbeat", heartbeat)]
		{
			setup.push(submit::sign(&at, &provider.pair, provider.nonce, call, args, lane)?);
			provider.nonce += 1;
		}
	}
	ctx.phase(&phase("setup"), setup, Until::InBlock).await?;

	// Create.
	let at = ctx.at().await?;
	let (window, periods, committee) = (load.bid_window, load.periods, load.committee);
	let create = sign_each(&at, customers.iter_mut().enumerate(), "Market.create_order", |i| {
		create_order_args(&OrderTerms {
			level,
			periods,
			max_unit_price: MAX_UNIT_PRICE,
			committee,
			bid_window: window,
			package_hash: package_hash(i),
			min_reputation_ppm: 0,
			sponsor: None,
			asset: PaymentAsset::Native,
		})
	})?;
	// The order ids come from the finalized blocks' events (a re-organisation cannot renumber
	// them under the bids).
	let created = ctx.phase(&phase("create"), create, Until::Finalized).await?;
	let mut ids: Vec<u64> = created.iter().filter_map(|r| r.order_created).collect();
	ids.sort_unstable();
	ensure!(!ids.is_empty(), "no order was created");

	// Commit: a price below the maximum, a salt per order.
	let price = |order: u64| FST + u128::from(order % 7) * FST / 10;
	let salt = |order: u64| {
		let mut salt = [7u8; 32];
		salt[..8].copy_from_slice(&order.to_le_bytes());
		salt
	};
	let count = providers.len();
	let bidder = move |i: usize| i % count;
	let at = ctx.at().await?;
	let mut commits = Vec::with_capacity(ids.len());
	for (i, order) in ids.iter().enumerate() {
		let provider = providers.get_mut(bidder(i)).context("bidder")?;
		let key = account_id(&provider.pair).0;
		let commitment = bid_commitment(*order, &price(*order), &salt(*order), &key);
		let args = vec![Value::u128(u128::from(*order)), Value::from_bytes(commitment)];
		commits.push(submit::sign(
			&at,
			&provider.pair,
			provider.nonce,
			"Market.commit_bid",
			args,
			bidder(i),
		)?);
		provider.nonce += 1;
	}
	ctx.phase(&phase("commit"), commits, Until::InBlock).await?;

	// Reveal as a provider's daemon does: once the block that ends the bid window is next
	// (the stored state may still say Bidding; a reveal after the bid window is accepted).
	let mut bidding_ends = 0u32;
	for view in ctx.orders(&ids).await? {
		if let OrderState::Bidding { bidding_ends: ends } = view.state {
			bidding_ends = bidding_ends.max(ends);
		}
	}
	ctx.tracker.best_after(bidding_ends.saturating_sub(2)).await;
	let at = ctx.at().await?;
	let mut reveals = Vec::with_capacity(ids.len());
	for (i, order) in ids.iter().enumerate() {
		let provider = providers.get_mut(bidder(i)).context("bidder")?;
		let args = vec![
			Value::u128(u128::from(*order)),
			Value::u128(price(*order)),
			Value::from_bytes(salt(*order)),
		];
		reveals.push(submit::sign(
			&at,
			&provider.pair,
			provider.nonce,
			"Market.reveal_bid",
			args,
			bidder(i),
		)?);
		provider.nonce += 1;
	}
	ctx.phase(&phase("reveal"), reveals, Until::InBlock).await?;

	// Confirm and fulfill each order as soon as a best block shows it waiting for its winner's
	// confirmation (consecutive nonces of the provider: a fulfill applies after its confirm).
	let mut waiting: Vec<(usize, u64)> = ids.iter().copied().enumerate().collect();
	let (mut confirm_hashes, mut fulfill_hashes) = (Vec::new(), Vec::new());
	let mut best = ctx.tracker.best_after(0).await;
	let give_up = best.saturating_add(CONFIRM_PATIENCE);
	while !waiting.is_empty() && best < give_up {
		let order_ids: Vec<u64> = waiting.iter().map(|(_, order)| *order).collect();
		let views = ctx.orders(&order_ids).await?;
		let at = ctx.at().await?;
		let mut batch = Vec::new();
		let mut still = Vec::new();
		for ((i, order), view) in waiting.into_iter().zip(views) {
			match view.state {
				OrderState::Confirming { .. } => {
					let provider = providers.get_mut(bidder(i)).context("bidder")?;
					for (call, hashes) in [
						("Market.confirm_order", &mut confirm_hashes),
						("Market.fulfill", &mut fulfill_hashes),
					] {
						let args = vec![Value::u128(u128::from(order))];
						let tx = submit::sign(
							&at,
							&provider.pair,
							provider.nonce,
							call,
							args,
							bidder(i),
						)?;
						hashes.push(tx.hash);
						batch.push(tx);
						provider.nonce += 1;
					}
				},
				OrderState::Bidding { .. } | OrderState::Revealing { .. } => still.push((i, order)),
				// Failed (no valid bid: the reveal came too late) or gone.
				_ => {},
			}
		}
		waiting = still;
		if !batch.is_empty() {
			submit::submit_all(&ctx.connections, batch, &ctx.tracker).await?;
		}
		best = ctx.tracker.best_after(best).await;
	}
	let both: Vec<H256> = confirm_hashes.iter().chain(&fulfill_hashes).copied().collect();
	let missing = ctx.tracker.settle(&both, Until::Finalized, ctx.patience).await;
	eprintln!(
		"defaas-load: {}: {} confirmed and fulfilled as their auctions closed, {missing} not \
		 finalized, {} still in their auctions after {CONFIRM_PATIENCE} blocks",
		phase("confirm+fulfill"),
		confirm_hashes.len(),
		waiting.len()
	);
	print_failures(&phase("confirm"), &ctx.tracker.records(&confirm_hashes));
	print_failures(&phase("fulfill"), &ctx.tracker.records(&fulfill_hashes));
	ctx.sent.push((phase("confirm"), confirm_hashes));
	ctx.sent.push((phase("fulfill"), fulfill_hashes));

	let mut fulfilling = 0u32;
	for order in &ids {
		let view = ctx.chain().order(*order).await?;
		if matches!(view.state, OrderState::Fulfilling { .. }) {
			fulfilling += 1;
		}
	}
	ctx.outcomes.push((
		format!("{scenario}: fulfilled (leases running)"),
		format!("{fulfilling} of {} created ({} submitted)", ids.len(), load.orders),
	));
	Ok(ids)
}

/// `orders`: K auctions to fulfilled leases (committee of one, one period).
pub async fn orders(ctx: &mut Ctx, load: &OrderLoad) -> Result<()> {
	auctions(ctx, "orders", load).await.map(|_| ())
}

/// `leases`: K auctions to leases that run `load.periods` rounds each, monitored by
/// committees of `load.committee` drawn from the chain's witnesses (their keys in the
/// validators' keystores, see [`insert_witness_keys`]) and served by `load.endpoint`; then
/// waits until every round settled and counts verdicts.
pub async fn leases(ctx: &mut Ctx, nodes: &[Chain], load: &OrderLoad) -> Result<()> {
	let mut before = Vec::with_capacity(nodes.len());
	for node in nodes {
		before.push(worker_stats(node).await?);
	}
	let ids = auctions(ctx, "leases", load).await?;
	let first = ctx.chain().order(*ids.first().context("leases")?).await?;
	// Every round ends within a period and the round's commit and reveal windows after its
	// period: wait that long past the last lease's end, block by block, then read the rounds.
	let period = first.period_length;
	let grace = period.saturating_add(20);
	let rounds_end =
		ctx.tracker.finalized_number() + period.saturating_mul(load.periods).saturating_add(grace);
	eprintln!("defaas-load: leases: waiting for the rounds until block {rounds_end}");
	let first_block = ctx.tracker.finalized_number();
	let expected = u32::try_from(ids.len()).unwrap_or(u32::MAX).saturating_mul(load.periods);
	let (opened, settled, violated, abandoned, lapsed) = loop {
		// From the witness pool's events in finalized blocks: a finished lease's round
		// records are gone from storage.
		let outcomes = ctx.tracker.rounds_of(&ids);
		let count = |wanted: &[RoundOutcome]| {
			u32::try_from(outcomes.iter().filter(|o| wanted.contains(o)).count()).unwrap_or(0)
		};
		let opened = u32::try_from(outcomes.len()).unwrap_or(u32::MAX);
		let settled = count(&[RoundOutcome::NoViolation, RoundOutcome::Violated]);
		let (violated, abandoned, lapsed) = (
			count(&[RoundOutcome::Violated]),
			count(&[RoundOutcome::Abandoned]),
			count(&[RoundOutcome::Lapsed]),
		);
		let now = ctx.tracker.finalized_number();
		if (opened >= expected && count(&[RoundOutcome::Open]) == 0) || now >= rounds_end {
			break (opened, settled, violated, abandoned, lapsed);
		}
		let next = ctx.tracker.finalized_after(now).await;
		ensure!(next > now, "finality stopped while the leases ran");
	};
	let (_, blocks) = ctx.tracker.snapshot();
	let load_summary = LeaseLoad {
		leases: u32::try_from(ids.len()).unwrap_or(u32::MAX),
		committee: load.committee,
		rounds: load.periods,
		period,
		rounds_opened: opened,
		rounds_with_verdict: settled,
		first_block,
		last_block: ctx.tracker.finalized_number(),
		mean_ref_time: 0,
		max_ref_time: 0,
		reveals: 0,
		seats: 0,
		fully_revealed: 0,
	}
	.measure(&blocks);
	ctx.outcomes.push((
		"leases: ref time per block while monitoring (all classes)".to_owned(),
		format!(
			"mean {:.1} ms, max {:.1} ms (blocks #{}-#{})",
			load_summary.mean_ref_time as f64 / 1e9,
			load_summary.max_ref_time as f64 / 1e9,
			load_summary.first_block,
			load_summary.last_block
		),
	));
	let (reveals, seats, fully_revealed) = ctx.tracker.reveals_of(&ids);
	ctx.outcomes.push((
		"leases: witnesses' reveals in the settled rounds".to_owned(),
		format!("{reveals} of {seats} seats; {fully_revealed} rounds with every member's reveal"),
	));
	ctx.leases = Some(LeaseLoad { reveals, seats, fully_revealed, ..load_summary });
	ctx.outcomes.push((
		"leases: rounds with a verdict ÷ rounds opened".to_owned(),
		format!(
			"{settled} / {opened} ({violated} violated, {abandoned} abandoned, {lapsed} lapsed; {} \
			 rounds expected)",
			expected
		),
	));
	for (i, (node, before)) in nodes.iter().zip(before).enumerate() {
		let run = worker_stats(node).await?.since(&before);
		let mean = if run.runs == 0 { 0.0 } else { run.total_ms as f64 / run.runs as f64 };
		ctx.outcomes.push((
			format!("leases: witness worker of node {i}"),
			format!(
				"{} runs, {mean:.0} ms per run (max {} ms at block {}), {} rounds looked at, {} \
				 VRF evaluations, {} probes, {} probes and joins deferred",
				run.runs,
				run.max_ms,
				run.max_block,
				run.rounds,
				run.vrf_evaluations,
				run.probes,
				run.deferred
			),
		));
	}
	Ok(())
}

/// What the witness worker of `node` recorded about its runs so far (its persistent
/// off-chain storage, read with the unsafe `offchain_localStorageGet`).
async fn worker_stats(node: &Chain) -> Result<WorkerStats> {
	use defaas_client::subxt::ext::codec::Decode;
	let value: Option<String> = node
		.rpc
		.request("offchain_localStorageGet", rpc_params!["PERSISTENT", to_hex(WORKER_STATS_KEY)])
		.await
		.context("offchain_localStorageGet (does the node allow unsafe RPC methods?)")?;
	let Some(hex) = value else { return Ok(WorkerStats::default()) };
	let bytes = from_hex(&hex).context("worker stats: not hex")?;
	WorkerStats::decode(&mut bytes.as_slice()).context("worker stats")
}

/// Puts the secret VRF keys of the `bench` preset's first `count` genesis witnesses into the
/// keystores of `nodes` (witness i into node i mod N, `author_insertKey`, key type `wtns`;
/// the nodes must allow unsafe RPC methods). Their off-chain workers then act for them.
pub async fn insert_witness_keys(nodes: &[Chain], count: u32) -> Result<()> {
	ensure!(count <= bench::WITNESSES, "the bench preset has {} witnesses", bench::WITNESSES);
	ensure!(!nodes.is_empty(), "no node");
	for i in 0..count {
		let index = bench::FIRST_WITNESS + i;
		let suri = bench::account_suri(index);
		let public = defaas_primitives::json::to_hex(&keypair(&suri)?.public_key().0);
		let node = nodes.get(i as usize % nodes.len()).context("node")?;
		let _: serde_json::Value = node
			.rpc
			.request("author_insertKey", rpc_params!["wtns", &suri, public])
			.await
			.context("author_insertKey (does the node allow unsafe RPC methods?)")?;
	}
	Ok(())
}

/// The package hash of load order `i` (distinct per order).
fn package_hash(i: usize) -> [u8; 32] {
	let mut hash = [0x5au8; 32];
	hash[..8].copy_from_slice(&(i as u64).to_le_bytes());
	hash
}
