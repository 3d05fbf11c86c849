//! The scenarios on the shared network. Each uses its own accounts and FaaS level.

use crate::{account_suri, Scenario, Shared};
use anyhow::{ensure, Context, Result};
use defaas_test_endpoint::{Mode, TestEndpoint};
use defaas_testkit::{
	bins::{cli, cli_json},
	client::{
		accounts::{account_id, keypair},
		subxt::dynamic::Value,
		views::{OrderState, OrderView, RoundView},
		Chain,
	},
	steps::{self, Terms, FST, PROVIDER_STAKE, VIOLATION_SLASH},
	wait::poll,
	Daemon, Offer,
};
use futures::FutureExt;
use std::sync::Arc;

/// Every scenario, by name.
pub const ALL: [(&str, Scenario); 10] = [
	("witnesses_see_a_daemon_whose_connections_are_exhausted_as_violated", |s| {
		exhaustion(s).boxed()
	}),
	("a_customer_who_never_uploads_cannot_cost_the_provider_its_deposit", |s| dispute(s).boxed()),
	("a_validator_down_does_not_stop_finality", |s| validator_down(s).boxed()),
	("workers_serve_a_lease_by_themselves_and_a_restarted_witness_reveals", |s| workers(s).boxed()),
	("daemons_and_the_cli_serve_real_functions_and_a_killed_daemon_is_violated", |s| {
		daemons(s).boxed()
	}),
	("a_daemon_follows_its_node_through_a_restart", |s| node_restart(s).boxed()),
	("the_load_generator_runs_each_scenario_at_tiny_scale", |s| crate::load::load_smoke(s).boxed()),
	("a_customer_holding_only_the_stable_asset_pays_fees_prepay_and_periods_in_it", |s| {
		crate::stable::stable_asset(s).boxed()
	}),
	("a_forkless_upgrade_keeps_the_lease_the_daemon_and_the_cli_working", |s| {
		crate::upgrade::upgrade(s).boxed()
	}),
	(
		"a_pool_of_namespaced_workers_serves_a_lease_through_a_worker_crash_until_all_are_gone",
		|s| crate::pool::pool(s).boxed(),
	),
];

/// Scenarios that take two validators down: run alone, after the others.
pub const EXCLUSIVE: [(&str, Scenario); 1] =
	[("offline_committee_members_cost_reputation_and_without_a_quorum_the_lease_times_out", |s| {
		crate::faults::offline_members(s).boxed()
	})];

/// A customer's `defaas order create` with a committee of three.
pub(crate) struct CliOrder<'a> {
	/// FaaS level.
	pub level: u32,
	/// Billing periods.
	pub periods: u32,
	/// `--max-price`, in the order's payment asset.
	pub max_price: &'a str,
	/// `--bid-window`, in blocks.
	pub bid_window: u32,
	/// The package's path.
	pub package: &'a str,
	/// The customer's secret URI.
	pub suri: &'a str,
	/// More of the CLI's arguments (`--asset 1`, `--fee-asset 1`).
	pub extra: &'a [&'a str],
}

impl<'a> CliOrder<'a> {
	/// An order of `periods` on `level` for `package` by the customer of `suri`: at most 3 per
	/// period in its asset, six blocks of bidding, nothing more.
	pub(crate) fn new(level: u32, periods: u32, package: &'a str, suri: &'a str) -> Self {
		Self { level, periods, max_price: "3", bid_window: 6, package, suri, extra: &[] }
	}

	/// Creates the order through the node at `url`: its id and the CLI's JSON answer.
	pub(crate) async fn create(&self, url: &str) -> Result<(u64, serde_json::Value)> {
		let (level, periods) = (self.level.to_string(), self.periods.to_string());
		let bid_window = self.bid_window.to_string();
		let terms = [
			"order",
			"create",
			"--level",
			&level,
			"--periods",
			&periods,
			"--max-price",
			self.max_price,
			"--committee",
			"3",
			"--bid-window",
			&bid_window,
			"--package",
			self.package,
			"--suri",
			self.suri,
		];
		let created = cli_json(url, &[&terms[..], self.extra].concat()).await?;
		let order_id =
			created["orderId"].as_u64().with_context(|| format!("orderId: {created}"))?;
		Ok((order_id, created))
	}
}

/// `defaas provider register` of the daemon's account: the minimum stake, its URL, `level`.
pub(crate) async fn register_with_cli(
	url: &str,
	daemon: &Daemon,
	level: u32,
	suri: &str,
) -> Result<()> {
	let level = level.to_string();
	let args = ["provider", "register", "--stake", "1000", "--endpoint", &daemon.url];
	cli(url, &[&args[..], &["--levels", &level, "--suri", suri]].concat()).await?;
	Ok(())
}

/// Checked during the setup (before any lease runs, so no round loses a member): with Dave's
/// validator killed the other three finalized three more blocks; restarted, Dave caught up.
async fn validator_down(shared: Arc<Shared>) -> Result<()> {
	match &shared.validator_down {
		Ok(_) => Ok(()),
		Err(error) => anyhow::bail!("{error}"),
	}
}

/// Does `act` as soon as round `round` of `order_id` opens, and checks that it was done before
/// the round's join window ended: the round's probes, which start then, see its effect (the
/// previous round's verdict may come later than that).
pub(crate) async fn when_round_opens(
	chain: &Chain,
	order_id: u64,
	round: u32,
	what: &str,
	act: impl std::future::Future<Output = Result<()>>,
) -> Result<RoundView> {
	let view = wait_round(chain, order_id, round, "opened", |_| true).await?;
	act.await?;
	let now = chain.best_number().await?;
	ensure!(now < view.join_end, "{what} before round {round}'s probes (at block {now}): {view:?}");
	Ok(view)
}

/// Waits for `defaas_round` of a round to satisfy `check`.
pub(crate) async fn wait_round(
	chain: &Chain,
	order_id: u64,
	round: u32,
	what: &str,
	check: impl Fn(&RoundView) -> bool,
) -> Result<RoundView> {
	let check = &check;
	poll(&format!("round {round} of order {order_id}: {what}"), 600, || async move {
		Ok(chain.round(order_id, round).await?.filter(|view| check(view)))
	})
	.await
}

/// Waits until `settled` periods of the order are settled (or it ended).
pub(crate) async fn wait_settled(chain: &Chain, order_id: u64, settled: u32) -> Result<OrderView> {
	steps::wait_order(chain, order_id, &format!("settled {settled} periods"), 900, |o| {
		o.settled_periods >= settled
			|| matches!(o.state, OrderState::Finished { .. } | OrderState::Failed { .. })
	})
	.await
}

/// Whether a decoded event's fields name `order_id` (every market and witness-pool event of a
/// lease does).
fn of_order(fields: &Value, order_id: u64) -> bool {
	defaas_testkit::client::chain::find_u128(fields, "order_id") == Some(u128::from(order_id))
}

/// The off-chain workers alone serve a lease (the test sends only the customer's order and
/// the provider's auction steps): the provider's node sends its heartbeats; the witnesses'
/// nodes join (VRF), probe the test endpoint (health and capacity challenge), commit and reveal.
/// Round 0 and 1 healthy → `NoViolation`, paid; a committee member's validator is killed right
/// after its round-1 commit and restarted → it still reveals (salt in persistent off-chain
/// storage); the endpoint fails from round 2 on → `Violated`: not paid, the provider slashed,
/// the prepay released.
async fn workers(shared: Arc<Shared>) -> Result<()> {
	const LEVEL: u32 = 1;
	const PRICE: u128 = 5 * FST;
	let chain = shared.chain("alice").await?;
	let endpoint = TestEndpoint::start();
	let provider = shared.account("workers", "provider");
	let customer = shared.account("workers", "customer");
	let (provider_id, customer_id) = (account_id(&provider), account_id(&customer));

	// The provider's heartbeat key lives in Charlie's node; its worker sends the heartbeats.
	let heartbeat_suri = format!("{}//prov", account_suri("workers", "provider"));
	steps::insert_key(&shared.chain("charlie").await?, "prov", &heartbeat_suri).await?;
	chain
		.submit(
			&provider,
			"Market",
			"register_provider",
			vec![
				Value::u128(PROVIDER_STAKE),
				Value::from_bytes(endpoint.url().as_bytes()),
				Value::unnamed_composite([Value::u128(u128::from(LEVEL))]),
				Value::from_bytes(keypair(&heartbeat_suri)?.public_key().0),
			],
		)
		.await?;
	steps::wait_online(&chain, &provider_id).await?;
	ensure!(endpoint.requests("/healthz") > 0, "the heartbeat worker checked /healthz");

	let (customer_free_0, customer_held_0) = steps::balances(&chain, &customer_id).await?;
	let terms = Terms { level: LEVEL, periods: 3, ..Terms::default() };
	let (order_id, _) = steps::lease(&chain, &customer, &terms, &[(&provider, PRICE)]).await?;
	let first_block = chain.best_number().await?;
	let (provider_free_0, _) = steps::balances(&chain, &provider_id).await?;

	// Round 0: healthy, NoViolation, paid.
	let order = wait_settled(&chain, order_id, 1).await?;
	ensure!(order.violated_periods == 0, "round 0 violated: {order:?}");
	let (provider_free_1, _) = steps::balances(&chain, &provider_id).await?;
	ensure!(provider_free_1 - provider_free_0 == PRICE, "the provider is paid round 0");
	ensure!(endpoint.health_requests(order_id) > 0, "witnesses probed the function's health");
	ensure!(endpoint.challenge_requests() > 0, "witnesses sent capacity challenges");

	// Round 1: kill a member's validator (not Alice's: the test talks through it) right after
	// its commit, restart it; it reveals from its persistent off-chain storage.
	let witness_node = crate::witness_node;
	let view = wait_round(&chain, order_id, 1, "a member outside Alice's node committed", |v| {
		v.members.iter().any(|m| m.committed && witness_node(&m.witness) != Some("alice"))
	})
	.await?;
	let member = view
		.members
		.iter()
		.find(|m| m.committed && witness_node(&m.witness) != Some("alice"))
		.context("a committed member")?
		.witness;
	let node = witness_node(&member).context("the member's node")?;
	{
		let mut network = shared.network.write().await;
		network.node_mut(node).restart().await?;
	}
	// From round 2 on the endpoint fails (set as soon as round 2 opens; probes start after its
	// join window).
	when_round_opens(&chain, order_id, 2, "the endpoint fails", async {
		endpoint.set_mode(Mode::Fail);
		Ok(())
	})
	.await?;
	let round_1 = wait_round(&chain, order_id, 1, "the restarted member revealed", |v| {
		v.members.iter().any(|m| m.witness == member && m.revealed.is_some())
	})
	.await?;
	let revealed = round_1.members.iter().find(|m| m.witness == member).and_then(|m| m.revealed);
	ensure!(revealed == Some(false), "the restarted witness revealed its clean report");

	let order = wait_settled(&chain, order_id, 2).await?;
	ensure!(order.violated_periods == 0, "round 1 violated: {order:?}");
	let (provider_free_2, _) = steps::balances(&chain, &provider_id).await?;
	ensure!(provider_free_2 - provider_free_1 == PRICE, "the provider is paid round 1");

	let order = wait_settled(&chain, order_id, 3).await?;
	ensure!(matches!(order.state, OrderState::Finished { .. }), "{order:?}");
	ensure!(order.violated_periods == 1 && order.paid == 2 * PRICE, "{order:?}");
	let (provider_free_3, provider_held_3) = steps::balances(&chain, &provider_id).await?;
	ensure!(provider_free_3 == provider_free_2, "no payment for the violated period");
	ensure!(provider_held_3 == PROVIDER_STAKE - VIOLATION_SLASH, "the violation slash");
	let (customer_free_3, customer_held_3) = steps::balances(&chain, &customer_id).await?;
	ensure!(customer_held_3 == customer_held_0, "the whole prepay is released");
	let delta = customer_free_3 as i128 - customer_free_0 as i128;
	let expected = VIOLATION_SLASH as i128 - (2 * PRICE) as i128;
	ensure!(
		delta <= expected && delta > expected - FST as i128,
		"customer: two periods paid, compensation received, fees: {delta}"
	);

	// Events of this order: NoViolation, NoViolation, Violated; every report came from a
	// committee member's worker (the test sent none), each round had a majority of reports.
	let last = chain.best_number().await?;
	let events: Vec<_> = steps::events_between(&chain, first_block, last)
		.await?
		.into_iter()
		.filter(|(_, _, fields)| of_order(fields, order_id))
		.collect();
	let settled: Vec<String> = events
		.iter()
		.filter(|(p, n, _)| p == "Market" && n == "PeriodSettled")
		.map(|(_, _, fields)| format!("{fields:?}"))
		.collect();
	ensure!(settled.len() == 3, "{settled:?}");
	ensure!(settled[0].contains("NoViolation") && settled[1].contains("NoViolation"));
	ensure!(settled[2].contains("\"Violated\""), "{settled:?}");
	let count =
		|name: &str| events.iter().filter(|(p, n, _)| p == "WitnessPool" && n == name).count();
	ensure!(count("RoundSettled") == 3, "three rounds settled");
	ensure!(count("ReportCommitted") >= 3 * 2, "a majority committed in every round");
	ensure!(count("ReportRevealed") >= 3 * 2, "a majority revealed in every round");
	let test_accounts = [provider_id, customer_id];
	for (_, name, fields) in events.iter().filter(|(p, _, _)| p == "WitnessPool") {
		if name.starts_with("Report") {
			let text = format!("{fields:?}");
			ensure!(
				test_accounts.iter().all(|a| !text.contains(&format!("{:?}", a.0))),
				"a report by a test account: {text}"
			);
		}
	}
	Ok(())
}

/// Two provider daemons (Charlie-like cheap with capacity 1 on Charlie's node, dear with
/// capacity 2 on Bob's node) registered with the CLI; two customers use only the CLI. Order A:
/// the cheaper daemon wins, the hello function is deployed and invoked, three periods paid.
/// Order B: the cheap one is at capacity, the dear one wins; its daemon is killed when round 1
/// opens (→ `Violated`, refunded, 50 FST of its stake to the customer) and restarted when round
/// 2 opens (→ serves the stored deployment again, `NoViolation`).
async fn daemons(shared: Arc<Shared>) -> Result<()> {
	const CHEAP: u128 = 3 * FST;
	const DEAR: u128 = 5 * FST;
	const PERIODS: u32 = 3;
	let url = shared.url("alice").await;
	let chain = Chain::connect(&url).await?;
	let dir = shared.network.read().await.dir.join("daemons");
	let hello = shared.hello.to_str().context("utf-8 path")?.to_string();
	let (cheap_suri, dear_suri) =
		(account_suri("daemons", "cheap"), account_suri("daemons", "dear"));
	let offer = |price: &str, capacity| Offer { level: 0, price: price.into(), capacity };
	let cheap =
		Daemon::start(&dir.join("cheap"), &shared.url("charlie").await, &cheap_suri, offer("3", 1))
			.await?;
	let mut dear =
		Daemon::start(&dir.join("dear"), &shared.url("bob").await, &dear_suri, offer("5", 2))
			.await?;
	for (daemon, suri) in [(&cheap, &cheap_suri), (&dear, &dear_suri)] {
		register_with_cli(&url, daemon, 0, suri).await?;
	}
	let (cheap_id, dear_id) =
		(account_id(&keypair(&cheap_suri)?), account_id(&keypair(&dear_suri)?));
	for who in [&cheap_id, &dear_id] {
		steps::wait_online(&chain, who).await?;
	}
	let (cheap_free_0, _) = steps::balances(&chain, &cheap_id).await?;
	let (a_suri, b_suri) =
		(account_suri("daemons", "customer-a"), account_suri("daemons", "customer-b"));
	let (a_id, b_id) = (account_id(&keypair(&a_suri)?), account_id(&keypair(&b_suri)?));
	let (a_free_0, a_held_0) = steps::balances(&chain, &a_id).await?;
	let (b_free_0, b_held_0) = steps::balances(&chain, &b_id).await?;
	let create = |suri: String| {
		let (url, hello) = (url.clone(), hello.clone());
		async move {
			let order = CliOrder { max_price: "10", ..CliOrder::new(0, PERIODS, &hello, &suri) };
			Ok::<_, anyhow::Error>(order.create(&url).await?.0)
		}
	};
	let order_a = create(a_suri.clone()).await?;
	let order_b = create(b_suri.clone()).await?;

	// Both customers deploy the hello function (the CLI waits until the order is matched).
	let deploy = |id: u64, suri: String| {
		let (url, hello) = (url.clone(), hello.clone());
		async move {
			cli(
				&url,
				&["deploy", &id.to_string(), "--package", &hello, "--suri", &suri, "--wait", "300"],
			)
			.await
		}
	};
	let (deployed_a, deployed_b) =
		futures::join!(deploy(order_a, a_suri.clone()), deploy(order_b, b_suri.clone()));
	deployed_a?;
	deployed_b?;
	let fulfilling = |id| {
		steps::wait_order(&chain, id, "fulfilling", 120, |o| {
			matches!(o.state, OrderState::Fulfilling { .. })
		})
	};
	let a = fulfilling(order_a).await?;
	let b = fulfilling(order_b).await?;
	ensure!(a.provider.as_ref() == Some(&cheap_id), "the cheaper provider wins A: {a:?}");
	ensure!(a.unit_price == Some(CHEAP), "{a:?}");
	ensure!(b.provider.as_ref() == Some(&dear_id), "the cheap one is at capacity for B: {b:?}");
	ensure!(b.unit_price == Some(DEAR), "{b:?}");

	// The function answers through the provider's daemon.
	let body = cli(&url, &["invoke", &order_a.to_string(), "--path", "/greet?x=1"]).await?;
	ensure!(body.starts_with("Hello from DeFaaS!"), "{body}");
	ensure!(body.contains(&format!("path=/o/{order_a}/greet?x=1")), "{body}");
	let status = cli(&url, &["order", "status", &order_a.to_string()]).await?;
	ensure!(status.contains("fulfilling"), "{status}");

	// Order B: kill the dear daemon when round 1 opens, restart it when round 2 opens.
	when_round_opens(&chain, order_b, 1, "the daemon is down", async {
		dear.kill();
		Ok(())
	})
	.await?;
	when_round_opens(&chain, order_b, 2, "the daemon is back", dear.restart()).await?;

	// Order A: three NoViolation periods, the cheap provider paid 3 × 3 FST, A's prepay released.
	let a = wait_settled(&chain, order_a, PERIODS).await?;
	ensure!(matches!(a.state, OrderState::Finished { .. }), "{a:?}");
	ensure!(a.violated_periods == 0 && a.paid == u128::from(PERIODS) * CHEAP, "{a:?}");
	let (cheap_free_3, _) = steps::balances(&chain, &cheap_id).await?;
	let earned = cheap_free_3 as i128 - cheap_free_0 as i128;
	let expected = (u128::from(PERIODS) * CHEAP) as i128;
	ensure!(earned <= expected && earned > expected - FST as i128, "cheap earned {earned}");
	let (a_free_3, a_held_3) = steps::balances(&chain, &a_id).await?;
	ensure!(a_held_3 == a_held_0, "A's whole prepay is released");
	let spent = a_free_0 as i128 - a_free_3 as i128;
	ensure!(spent >= expected && spent < expected + FST as i128, "A spent {spent}");

	// Order B: NoViolation, Violated (daemon down), NoViolation (restarted).
	let b = wait_settled(&chain, order_b, PERIODS).await?;
	ensure!(matches!(b.state, OrderState::Finished { .. }), "{b:?}");
	ensure!(b.violated_periods == 1 && b.paid == 2 * DEAR, "{b:?}");
	let (b_free_3, b_held_3) = steps::balances(&chain, &b_id).await?;
	ensure!(b_held_3 == b_held_0, "B's whole prepay is released");
	let delta = b_free_3 as i128 - b_free_0 as i128;
	let expected = VIOLATION_SLASH as i128 - (2 * DEAR) as i128;
	ensure!(delta <= expected && delta > expected - FST as i128, "B: {delta}");
	let log = dear.log_text();
	ensure!(
		log.contains("1 deployment(s) restored from their artifact, 0 recompiled"),
		"the restarted daemon restored its deployment:\n{}",
		dear.log_tail()
	);
	Ok(())
}

/// The provider's node is restarted under a running daemon while its bid is pending: the
/// daemon reconnects by itself, reveals the stored bid, confirms, the customer deploys and the
/// lease is served (its first period settles `NoViolation`).
async fn node_restart(shared: Arc<Shared>) -> Result<()> {
	const LEVEL: u32 = 2;
	let url = shared.url("alice").await;
	let chain = Chain::connect(&url).await?;
	let dir = shared.network.read().await.dir.join("node-restart");
	let hello = shared.hello.to_str().context("utf-8 path")?.to_string();
	let provider_suri = account_suri("node-restart", "provider");
	let customer_suri = account_suri("node-restart", "customer");
	let provider_id = account_id(&keypair(&provider_suri)?);
	let daemon = Daemon::start(
		&dir,
		&shared.url("dave").await,
		&provider_suri,
		Offer { level: LEVEL, price: "4".into(), capacity: 1 },
	)
	.await?;
	register_with_cli(&url, &daemon, LEVEL, &provider_suri).await?;
	steps::wait_online(&chain, &provider_id).await?;
	let order = CliOrder {
		max_price: "10",
		bid_window: 10,
		..CliOrder::new(LEVEL, 2, &hello, &customer_suri)
	};
	let (order_id, _) = order.create(&url).await?;
	// The daemon commits its sealed bid (on the finalized chain it follows).
	steps::wait_order(&chain, order_id, "bid on", 120, |o| o.bids >= 1).await?;
	// Its node goes down and comes back on the same port while the bid is pending.
	{
		let mut network = shared.network.write().await;
		network.node_mut("dave").restart().await?;
	}
	let deployed = cli(
		&url,
		&[
			"deploy",
			&order_id.to_string(),
			"--package",
			&hello,
			"--suri",
			&customer_suri,
			"--wait",
			"300",
		],
	)
	.await?;
	ensure!(deployed.contains(&format!("/o/{order_id}")), "{deployed}");
	let order = steps::wait_order(&chain, order_id, "fulfilling", 180, |o| {
		matches!(o.state, OrderState::Fulfilling { .. })
	})
	.await?;
	ensure!(
		order.provider.as_ref() == Some(&provider_id),
		"the daemon's revealed bid won: {order:?}"
	);
	let body = cli(&url, &["invoke", &order_id.to_string(), "--path", "/after-restart"]).await?;
	ensure!(body.starts_with("Hello from DeFaaS!"), "{body}");
	let order = wait_settled(&chain, order_id, 1).await?;
	ensure!(order.violated_periods == 0, "the lease is served after the restart: {order:?}");
	ensure!(
		daemon.log_text().contains("reveal"),
		"the daemon revealed after reconnecting:\n{}",
		daemon.log_tail()
	);
	Ok(())
}

/// Dispatches `call` as Root (`Sudo.sudo` signed by `//Alice`, the sudo key) and waits for its
/// block to be finalized; its events. One scenario at a time: the sudo key's nonce is shared.
pub(crate) async fn sudo(
	chain: &Chain,
	call: Value,
) -> Result<defaas_testkit::client::chain::Events> {
	static SUDO: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
	let _sudo = SUDO.lock().await;
	// Finalized: what the call created is read from the block that stays (a re-organisation
	// of best blocks may include the call again elsewhere, under another id).
	let events = chain.submit_finalized(&keypair("//Alice")?, "Sudo", "sudo", vec![call]).await?;
	defaas_testkit::client::chain::find_event(&events, "Sudo", "Sudid")?;
	Ok(events)
}

/// Adds a FaaS level with Root's `Market.add_level`; its id.
pub(crate) async fn add_level(chain: &Chain, tag: &str) -> Result<u32> {
	let level = Value::named_composite([
		("cpu_millicores", Value::u128(500)),
		("gpu_units", Value::u128(0)),
		("memory_mb", Value::u128(128)),
		("package_mb", Value::u128(10)),
		("tag", Value::from_bytes(tag.as_bytes())),
	]);
	let call =
		Value::unnamed_variant("Market", [Value::named_variant("add_level", [("level", level)])]);
	let events = sudo(chain, call).await?;
	let added = defaas_testkit::client::chain::find_event(&events, "Market", "LevelAdded")?;
	let id = defaas_testkit::client::chain::find_u128(&added, "level_id").context("level_id")?;
	Ok(u32::try_from(id)?)
}

/// A customer who never uploads its package cannot make an honest provider lose its bid
/// deposit: the daemon disputes the hand-off 3 blocks before the deploy deadline, the customer
/// never publishes the package, and the order ends `CustomerDidNotDeliver` — the provider's
/// deposit released and one unit price paid to it (docs/architecture.md §5.3). On a level of
/// its own, added by Root for this scenario.
async fn dispute(shared: Arc<Shared>) -> Result<()> {
	const PRICE: u128 = 2 * FST;
	let url = shared.url("alice").await;
	let chain = Chain::connect(&url).await?;
	let level = add_level(&chain, "dispute").await?;
	let dir = shared.network.read().await.dir.join("dispute");
	let hello = shared.hello.to_str().context("utf-8 path")?.to_string();
	let provider_suri = account_suri("dispute", "provider");
	let offer = Offer { level, price: "2".into(), capacity: 1 };
	let daemon = Daemon::start(&dir, &shared.url("dave").await, &provider_suri, offer).await?;
	register_with_cli(&url, &daemon, level, &provider_suri).await?;
	let provider_id = account_id(&keypair(&provider_suri)?);
	steps::wait_online(&chain, &provider_id).await?;
	let (free_0, held_0) = steps::balances(&chain, &provider_id).await?;

	let customer_suri = account_suri("dispute", "customer");
	let order = CliOrder::new(level, 2, &hello, &customer_suri);
	let (order_id, _) = order.create(&url).await?;
	// The customer never uploads. The daemon confirms, waits, then disputes.
	steps::wait_order(&chain, order_id, "handoffDisputed", 180, |o| {
		matches!(o.state, OrderState::HandoffDisputed { .. })
	})
	.await?;
	let ended = steps::wait_order(&chain, order_id, "cancelled", 180, |o| {
		matches!(o.state, OrderState::Cancelled { .. })
	})
	.await?;
	let status = cli(&url, &["order", "status", &order_id.to_string()]).await?;
	ensure!(status.contains("customerDidNotDeliver"), "{status}");
	ensure!(ended.paid == PRICE, "one unit price paid to the provider: {ended:?}");
	let (free_1, held_1) = steps::balances(&chain, &provider_id).await?;
	ensure!(held_1 == held_0, "the bid deposit is released: only the stake is held");
	let earned = free_1 as i128 - free_0 as i128;
	// The unit price, less the fees of commit, reveal, confirm and dispute (well below 1 FST).
	ensure!(earned > (PRICE - FST) as i128 && earned <= PRICE as i128, "earned {earned}");
	ensure!(
		daemon.log_text().contains("dispute_handoff"),
		"the daemon says it disputed:\n{}",
		daemon.log_tail()
	);
	Ok(())
}

/// The connection-exhaustion attack as the witnesses see it: while one address (127.0.0.2)
/// holds every connection the daemon admits, new clients — the witnesses' probes, each on a
/// fresh connection — are refused (`503 too_many_connections`) and the period is settled
/// `Violated`; once the attacker lets go, the next period is `NoViolation`. The daemon's caps
/// are lowered (64 connections, all from one address allowed) so the attack needs few sockets;
/// the 20,000-connection replay against the default caps is the daemon's own test.
async fn exhaustion(shared: Arc<Shared>) -> Result<()> {
	use tokio::{io::AsyncWriteExt, net::TcpSocket};
	const CAP: usize = 64;
	const PRICE: u128 = 2 * FST;
	let url = shared.url("alice").await;
	let chain = Chain::connect(&url).await?;
	let level = add_level(&chain, "exhaustion").await?;
	let dir = shared.network.read().await.dir.join("exhaustion");
	let hello = shared.hello.to_str().context("utf-8 path")?.to_string();
	let provider_suri = account_suri("exhaustion", "provider");
	let offer = Offer { level, price: "2".into(), capacity: 1 };
	// Held bodies never time out here: the attacker needs no reconnect loop.
	let limits = format!(
		"[http]\nmax_connections = {CAP}\nmax_connections_per_source = {CAP}\n\
		 body_timeout_ms = 3600000\n"
	);
	let node_url = shared.url("bob").await;
	let daemon = Daemon::start_with(&dir, &node_url, &provider_suri, offer, &limits).await?;
	register_with_cli(&url, &daemon, level, &provider_suri).await?;
	steps::wait_online(&chain, &account_id(&keypair(&provider_suri)?)).await?;
	let customer_suri = account_suri("exhaustion", "customer");
	let order = CliOrder::new(level, 2, &hello, &customer_suri);
	let (order_id, _) = order.create(&url).await?;
	let id = order_id.to_string();
	cli(&url, &["deploy", &id, "--package", &hello, "--suri", &customer_suri, "--wait", "300"])
		.await?;
	steps::wait_order(&chain, order_id, "fulfilling", 120, |o| {
		matches!(o.state, OrderState::Fulfilling { .. })
	})
	.await?;

	// Round 0: the attacker takes every connection, each with a body that never completes.
	let addr: std::net::SocketAddr =
		daemon.url.trim_start_matches("http://").parse().context("daemon address")?;
	let attacker = std::net::IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 2));
	let head = b"POST /.well-known/defaas/challenge HTTP/1.1\r\nhost: daemon\r\n\
		content-type: application/json\r\ncontent-length: 1000\r\n\r\n{";
	let mut held = Vec::with_capacity(CAP);
	for _ in 0..CAP {
		let socket = TcpSocket::new_v4()?;
		socket.bind(std::net::SocketAddr::new(attacker, 0))?;
		let mut stream = socket.connect(addr).await?;
		stream.write_all(head).await?;
		held.push(stream);
	}
	// A new client is now refused: what the customers and the witnesses see.
	let refused = cli(&url, &["invoke", &id, "--path", "/greet"]).await;
	ensure!(refused.is_err(), "a new client is refused during the attack: {refused:?}");
	when_round_opens(&chain, order_id, 1, "the attacker lets go", async {
		drop(held);
		Ok(())
	})
	.await?;
	let body = cli(&url, &["invoke", &id, "--path", "/greet"]).await?;
	ensure!(body.starts_with("Hello from DeFaaS!"), "served again: {body}");

	let ended = wait_settled(&chain, order_id, 2).await?;
	ensure!(matches!(ended.state, OrderState::Finished { .. }), "{ended:?}");
	ensure!(ended.violated_periods == 1, "round 0 violated, round 1 clean: {ended:?}");
	ensure!(ended.paid == PRICE, "only round 1 is paid: {ended:?}");
	Ok(())
}
