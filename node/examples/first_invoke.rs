//! Order → first successful invoke, as a new customer sees it, on a fresh dev chain with a real
//! provider daemon: the time from `defaas order create` to the first `200` of
//! `defaas invoke`, split at the CLI's own steps (order created, package deployed), `N` orders
//! one after the other, p50 and p99. A benchmark, not a test:
//!
//! ```sh
//! cargo test --workspace --release --no-run     # the node, CLI and daemon binaries
//! cargo run --release -p defaas-node --example first_invoke -- [orders] [bid window]
//! ```
//!
//! Defaults: 10 orders, the dev chain's shortest bid window (3 blocks). The dev chain's market
//! windows: 5-block reveal and confirm windows, 3 s blocks, one validator (finality about a
//! block behind).

use anyhow::{ensure, Context, Result};
use defaas_testkit::{
	bins::{self, cli, cli_json},
	client::accounts::{account_id, keypair},
	dev_node, steps, Daemon, Offer,
};
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> Result<()> {
	let mut args = std::env::args().skip(1);
	let orders: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(10);
	let bid_window: u32 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(3);
	tokio::task::spawn_blocking(bins::ensure_built).await??;
	let hello = tokio::task::spawn_blocking(|| bins::build_functions(&["hello"])).await??;
	let hello = hello.join("hello.wasm").to_str().context("utf-8 path")?.to_owned();

	let (node, dir) = dev_node("first-invoke").await?;
	let url = node.ws_url.clone();
	let chain = node.chain().await?;
	let (provider_suri, customer_suri, witness_suri) = (
		"//Alice//first-invoke//provider",
		"//Alice//first-invoke//customer",
		"//Alice//first-invoke//witness",
	);
	let (provider, customer, witness) =
		(keypair(provider_suri)?, keypair(customer_suri)?, keypair(witness_suri)?);
	steps::fund(
		&chain,
		&keypair("//Alice")?,
		&[account_id(&provider), account_id(&customer), account_id(&witness)],
		100_000 * steps::FST,
	)
	.await?;
	// One witness (its key in the node's keystore) for the orders' committees of one.
	steps::register_witness(&chain, &chain, &witness, witness_suri, 100 * steps::FST).await?;
	let daemon = Daemon::start(
		&dir,
		&url,
		provider_suri,
		Offer { level: 0, price: "1".into(), capacity: u32::try_from(orders)? },
	)
	.await?;
	cli(
		&url,
		&[
			"provider",
			"register",
			"--stake",
			"1000",
			"--endpoint",
			&daemon.url,
			"--levels",
			"0",
			"--suri",
			provider_suri,
		],
	)
	.await?;
	steps::wait_online(&chain, &account_id(&provider)).await?;

	println!("order | created | deployed | first 200 (s from `order create`)");
	let mut totals = Vec::new();
	for _ in 0..orders {
		let start = Instant::now();
		let created = cli_json(
			&url,
			&[
				"order",
				"create",
				"--level",
				"0",
				"--periods",
				"1",
				"--max-price",
				"10",
				"--committee",
				"1",
				"--bid-window",
				&bid_window.to_string(),
				"--package",
				&hello,
				"--suri",
				customer_suri,
			],
		)
		.await?;
		let order = created["orderId"].as_u64().context("orderId")?.to_string();
		let t_created = start.elapsed();
		cli(
			&url,
			&["deploy", &order, "--package", &hello, "--suri", customer_suri, "--wait", "300"],
		)
		.await?;
		let t_deployed = start.elapsed();
		let deadline = Instant::now() + Duration::from_secs(120);
		loop {
			match cli(&url, &["invoke", &order, "--path", "/"]).await {
				Ok(body) if body.starts_with("Hello from DeFaaS!") => break,
				_ => {
					ensure!(Instant::now() < deadline, "order {order}: no 200 within 2 minutes");
					tokio::time::sleep(Duration::from_millis(200)).await;
				},
			}
		}
		let total = start.elapsed();
		println!(
			"{order} | {:.1} | {:.1} | {:.1}",
			t_created.as_secs_f64(),
			t_deployed.as_secs_f64(),
			total.as_secs_f64()
		);
		totals.push(total.as_secs_f64());
	}
	totals.sort_by(f64::total_cmp);
	let rank =
		|p: f64| totals[((p * totals.len() as f64).ceil() as usize).clamp(1, totals.len()) - 1];
	println!(
		"order → first 200 over {} orders, bid window {bid_window}: p50 {:.1} s, p99 {:.1} s",
		totals.len(),
		rank(0.5),
		rank(0.99)
	);
	drop(daemon);
	drop(node);
	let _ = std::fs::remove_dir_all(dir);
	Ok(())
}
