//! The computing pool on the network: one provider on chain (the gateway), three workers behind
//! it on NATS, each a separate test host (a network namespace whose only route leads to the
//! NATS host), and a lease watched by the witnesses.

use crate::{
	account_suri,
	scenarios::{
		add_level, register_with_cli, wait_round, wait_settled, when_round_opens, CliOrder,
	},
	Shared,
};
use anyhow::{ensure, Context, Result};
use defaas_testkit::{
	bins::{cli, defaas},
	client::{
		accounts::{account_id, keypair},
		views::{OrderState, Verdict},
		Chain,
	},
	pool::{NatsServer, PoolWorker, TestHost},
	steps::{self, FST, VIOLATION_SLASH},
	Daemon, Offer,
};
use std::{collections::BTreeMap, path::Path, sync::Arc};

/// The pool's price of the scenario's level, FST per period.
const PRICE: u128 = 3 * FST;
const PERIODS: u32 = 3;

/// Starts worker `name` of the pool: in a test host of its own when namespaces can be made.
fn start_worker(dir: &Path, nats: &NatsServer, name: &str, namespaced: bool) -> Result<PoolWorker> {
	let (host, url) = if namespaced {
		let host = TestHost::create()?;
		let url = nats.url_at(&host.gateway_address);
		(Some(host), url)
	} else {
		(None, nats.url())
	};
	PoolWorker::start(dir, "e2e", name, &url, host, "")
}

/// `defaas invoke` of `order_id`, `times` times; the workers that answered (the gateway's
/// `defaas-worker` header) with their counts.
async fn invoke_spread(url: &str, order_id: u64, times: usize) -> Result<BTreeMap<String, usize>> {
	let mut answered = BTreeMap::new();
	for i in 0..times {
		let path = format!("/spread/{i}");
		let output = defaas(url, &["invoke", &order_id.to_string(), "--path", &path, "--verbose"])
			.await?
			.ok()?;
		ensure!(output.stdout.starts_with("Hello from DeFaaS!"), "{}", output.stdout);
		let worker = output
			.stderr
			.lines()
			.find_map(|line| line.strip_prefix("< defaas-worker: "))
			.with_context(|| format!("a defaas-worker header:\n{}", output.stderr))?;
		*answered.entry(worker.trim().to_owned()).or_insert(0) += 1;
	}
	Ok(answered)
}

/// A pool with one gateway and three workers wins an order; the customer deploys through the
/// CLI and its invocations are spread over the workers. Round 1: a worker is killed (like a
/// crash) as soon as the round opens and a fourth joins — the period settles `NoViolation`
/// (two replicas were left) and the new worker takes traffic. Round 2: every worker is
/// killed — the period is `Violated`, refunded, and the pool's stake slashed.
pub async fn pool(shared: Arc<Shared>) -> Result<()> {
	let url = shared.url("alice").await;
	let chain = Chain::connect(&url).await?;
	let level = add_level(&chain, "pool").await?;
	let dir = shared.network.read().await.dir.join("pool");
	let hello = shared.hello.to_str().context("utf-8 path")?.to_string();

	let nats = NatsServer::start(&dir.join("nats")).await?;
	let namespaced = TestHost::available();
	if !namespaced {
		eprintln!(
			"pool scenario: network namespaces cannot be made here (no `ip` or no CAP_NET_ADMIN); \
			 the workers run as plain processes on this host"
		);
	}
	let mut workers = Vec::new();
	for name in ["w1", "w2", "w3"] {
		workers.push(start_worker(&dir, &nats, name, namespaced)?);
	}
	for worker in &workers {
		nats.wait_connected(&worker.name).await?;
		if let Some(host) = &worker.host {
			// One route, to the link towards the NATS host: no default route, nothing else.
			let routes = host.routes()?;
			ensure!(
				routes.lines().count() == 1 && !routes.contains("default"),
				"{}: {routes}",
				host.name
			);
		}
	}

	// The gateway: the provider on chain, in front of the workers.
	let provider_suri = account_suri("pool", "provider");
	let provider_id = account_id(&keypair(&provider_suri)?);
	let pool_table = format!(
		"[pool]\nnats_url = \"{}\"\nname = \"e2e\"\nrole = \"gateway\"\nreplicas = 2\n",
		nats.url()
	);
	let offer = Offer { level, price: "3".into(), capacity: 1 };
	let _gateway =
		Daemon::start_with(&dir, &shared.url("charlie").await, &provider_suri, offer, &pool_table)
			.await?;
	register_with_cli(&url, &_gateway, level, &provider_suri).await?;
	steps::wait_online(&chain, &provider_id).await?;

	let customer_suri = account_suri("pool", "customer");
	let customer_id = account_id(&keypair(&customer_suri)?);
	let (customer_free_0, customer_held_0) = steps::balances(&chain, &customer_id).await?;
	let order =
		CliOrder { max_price: "5", ..CliOrder::new(level, PERIODS, &hello, &customer_suri) };
	let (order_id, _) = order.create(&url).await?;
	let id = order_id.to_string();
	cli(&url, &["deploy", &id, "--package", &hello, "--suri", &customer_suri, "--wait", "300"])
		.await?;
	let order = steps::wait_order(&chain, order_id, "fulfilling", 180, |o| {
		matches!(o.state, OrderState::Fulfilling { .. })
	})
	.await?;
	ensure!(order.provider.as_ref() == Some(&provider_id), "the pool won: {order:?}");
	ensure!(order.unit_price == Some(PRICE), "{order:?}");

	// Spread over the workers (NATS picks one of the queue group per request).
	let answered = invoke_spread(&url, order_id, 24).await?;
	ensure!(answered.len() == 3, "every worker took a share: {answered:?}");

	// Round 1: w1 dies before the round's probes; w4 joins.
	when_round_opens(&chain, order_id, 1, "w1 is down", async {
		workers[0].kill();
		Ok(())
	})
	.await?;
	nats.wait_disconnected("w1").await?;
	workers.push(start_worker(&dir, &nats, "w4", namespaced)?);
	nats.wait_connected("w4").await?;
	let answered = defaas_testkit::wait::poll("w4 to take traffic", 120, || {
		let url = url.clone();
		async move {
			let answered = invoke_spread(&url, order_id, 6).await?;
			Ok(answered.contains_key("w4").then_some(answered))
		}
	})
	.await?;
	ensure!(!answered.contains_key("w1"), "{answered:?}");

	// Round 2: every worker dies as soon as the round opens, before its probes (round 1's
	// verdict may come later than that).
	when_round_opens(&chain, order_id, 2, "every worker is down", async {
		workers.iter_mut().for_each(PoolWorker::kill);
		Ok(())
	})
	.await?;
	// Rounds 0 (three workers) and 1 (a worker down, another joined) served.
	for round in [0, 1] {
		let view =
			wait_round(&chain, order_id, round, "ended", |v| !v.phase.is_unsettled()).await?;
		ensure!(view.verdict == Some(Verdict::NoViolation), "round {round} served: {view:?}");
	}
	let order = wait_settled(&chain, order_id, PERIODS).await?;
	ensure!(matches!(order.state, OrderState::Finished { .. }), "{order:?}");
	// Rounds 0 and 1 were served, so the one violated period is round 2's, with no worker left
	// (an ended order's rounds are pruned: read from the order).
	ensure!(order.violated_periods == 1 && order.paid == 2 * PRICE, "{order:?}");
	// The customer paid two periods, got the third back and the violation slash.
	let (customer_free_3, customer_held_3) = steps::balances(&chain, &customer_id).await?;
	ensure!(customer_held_3 == customer_held_0, "the whole prepay is released");
	let delta = customer_free_3 as i128 - customer_free_0 as i128;
	let expected = VIOLATION_SLASH as i128 - (2 * PRICE) as i128;
	// Less the fees of the customer's own transactions (order, deployment confirmation).
	ensure!(delta <= expected && delta > expected - FST as i128, "customer: {delta}");
	Ok(())
}
