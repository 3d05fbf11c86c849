//! Provider daemons, the `defaas` CLI and real functions on a local network (issue: provider
//! daemon acceptance).
//!
//! Four `local_testnet` validators run with `--offchain-worker always`, one witness `wtns` key
//! per node. Two providers run `defaas-provider`: Charlie asks 3 FST per period for at most one
//! lease, Bob 5 FST for up to two; their daemons put their heartbeat keys into their nodes. Two
//! customers use only the `defaas` CLI (`order create`, `deploy`, `invoke`, `order status`):
//!
//! - order A (Dave): both providers bid, the cheaper Charlie wins; the hello function is deployed
//!   and invoked through his daemon, the witnesses' workers probe it, all three periods settle
//!   `NoViolation`, Charlie is paid 3 × 3 FST and Dave's remaining prepay is released;
//! - order B (Alice), created with A: Charlie is at capacity, Bob wins. Bob's daemon is killed
//!   (SIGKILL) when round 1 opens → round 1 `Violated`, its period refunded and 50 FST of Bob's
//!   stake paid to Alice; the daemon restarted when round 2 opens serves the stored deployment
//!   again → round 2 `NoViolation`.

mod common;

use common::*;
use serde_json::Value;
use std::{
	path::{Path, PathBuf},
	process::Command,
};
use subxt::rpcs::rpc_params;

/// The providers' prices per period.
const CHEAP: u128 = 3 * FST;
const DEAR: u128 = 5 * FST;
/// Periods of each order.
const PERIODS: u64 = 3;

/// Builds the CLI, the daemon and the hello function; returns the hello component's path.
fn build_binaries_and_hello() -> PathBuf {
	build_cli_and_provider();
	let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("repo root");
	let functions = bin_dir().parent().expect("target dir").join("functions");
	let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
	let status = Command::new(cargo)
		.current_dir(root.join("examples/functions"))
		.env("CARGO_TARGET_DIR", &functions)
		.args(["build", "--release", "--target", "wasm32-wasip2", "-p", "hello"])
		.status()
		.expect("cargo build (functions)");
	assert!(status.success(), "building the hello function");
	functions.join("wasm32-wasip2/release/hello.wasm")
}

/// The order as `defaas_order` returns it.
async fn order(rpc: &subxt::rpcs::RpcClient, order_id: u64) -> Value {
	rpc.request("defaas_order", rpc_params![order_id]).await.expect("defaas_order")
}

#[tokio::test(flavor = "multi_thread")]
async fn providers_serve_real_functions_bought_with_the_cli() {
	let hello = tokio::task::spawn_blocking(build_binaries_and_hello).await.expect("build");
	let hello_path = hello.to_str().expect("utf-8 path").to_string();
	let network = LocalNetwork::start("providers").await;
	let (rpc, api) = network.alice();
	let alice_url = network.url("alice");
	let base = network.base.clone();
	let active_from = network.register_witnesses().await;

	// Providers: daemons on Charlie's and Bob's nodes, registered with the CLI.
	let cheap =
		Daemon::start(&base.join("charlie-provider"), &network.url("charlie"), "//Charlie", "3", 1);
	let mut dear = Daemon::start(&base.join("bob-provider"), &network.url("bob"), "//Bob", "5", 2);
	for (daemon, suri) in [(&cheap, "//Charlie"), (&dear, "//Bob")] {
		cli(
			&alice_url,
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
				suri,
			],
		);
	}
	for who in ["//Charlie", "//Bob"] {
		wait_online(&rpc, &account_id(&keypair(who))).await;
	}
	let charlie = account_id(&keypair("//Charlie"));
	let bob = account_id(&keypair("//Bob"));
	// Balances are read at the finalized block: the registrations (stakes) must be in it.
	wait_for_finalized(&rpc, best_number(&rpc).await).await;
	let (charlie_free_0, _) = balances(&api, &charlie).await;

	// Customers: order A (Dave) and order B (Alice), with the CLI only. The bid window ends
	// when the witnesses are active.
	let now = best_number(&rpc).await;
	let bid_window = active_from.saturating_sub(now).clamp(6, 100).to_string();
	let dave = account_id(&keypair("//Dave"));
	let alice = account_id(&keypair("//Alice"));
	let (dave_free_0, dave_held_0) = balances(&api, &dave).await;
	let (alice_free_0, alice_held_0) = balances(&api, &alice).await;
	let create = |suri: &str| {
		let created = cli_json(
			&alice_url,
			&[
				"order",
				"create",
				"--level",
				"0",
				"--periods",
				&PERIODS.to_string(),
				"--max-price",
				"10",
				"--committee",
				"3",
				"--bid-window",
				&bid_window,
				"--package",
				&hello_path,
				"--suri",
				suri,
			],
		);
		as_u64(&created["orderId"])
	};
	let order_a = create("//Dave");
	let order_b = create("//Alice");

	// Both customers deploy the hello function (the CLI waits until the order is matched).
	let deploys: Vec<_> = [(order_a, "//Dave"), (order_b, "//Alice")]
		.into_iter()
		.map(|(id, suri)| {
			let (url, hello) = (alice_url.clone(), hello_path.clone());
			std::thread::spawn(move || {
				cli(
					&url,
					&[
						"deploy",
						&id.to_string(),
						"--package",
						&hello,
						"--suri",
						suri,
						"--wait",
						"300",
					],
				)
			})
		})
		.collect();
	for deploy in deploys {
		deploy.join().expect("deploy thread");
	}
	let fulfilling = |id: u64| {
		let rpc = rpc.clone();
		async move {
			poll("the lease to be fulfilled", 120, || {
				let rpc = rpc.clone();
				async move {
					let order = order(&rpc, id).await;
					order["state"].get("fulfilling").is_some().then_some(order)
				}
			})
			.await
		}
	};
	let a = fulfilling(order_a).await;
	let b = fulfilling(order_b).await;
	assert_eq!(a["provider"], Value::String(ss58(&charlie)), "the cheaper provider wins A: {a}");
	assert_eq!(as_u64(&a["unitPrice"]) as u128, CHEAP);
	assert_eq!(b["provider"], Value::String(ss58(&bob)), "Charlie is at capacity for B: {b}");
	assert_eq!(as_u64(&b["unitPrice"]) as u128, DEAR);

	// The function answers through the provider's daemon.
	let invoked = cli(&alice_url, &["invoke", &order_a.to_string(), "--path", "/greet?x=1"]);
	let body = invoked;
	assert!(body.starts_with("Hello from DeFaaS!"), "{body}");
	assert!(body.contains(&format!("path=/o/{order_a}/greet?x=1")), "{body}");
	let status = cli(&alice_url, &["order", "status", &order_a.to_string()]);
	assert!(status.contains("fulfilling"), "{status}");

	// Order B: kill Bob's daemon when round 1 opens, restart it when round 2 opens.
	let round_opens = |round_no: u32| {
		let rpc = rpc.clone();
		async move {
			poll("the round to open", 300, || {
				let rpc = rpc.clone();
				async move {
					let view = round(&rpc, order_b, round_no).await;
					(!view.is_null()).then_some(view)
				}
			})
			.await
		}
	};
	round_opens(1).await;
	dear.kill();
	let view_2 = round_opens(2).await;
	dear.restart();
	assert!(
		best_number(&rpc).await < as_u64(&view_2["joinEnd"]),
		"the daemon is back before round 2's probes: {view_2}"
	);

	// Order A: three NoViolation periods; Charlie paid 3 × 3 FST, Dave's prepay released.
	let a = wait_settled(&rpc, order_a, PERIODS).await;
	assert!(a["state"].get("finished").is_some(), "{a}");
	assert_eq!(as_u64(&a["violatedPeriods"]), 0, "{a}");
	assert_eq!(as_u64(&a["paid"]) as u128, PERIODS as u128 * CHEAP, "{a}");
	let (charlie_free_3, _) = balances(&api, &charlie).await;
	let earned = charlie_free_3 as i128 - charlie_free_0 as i128;
	let expected = (PERIODS as u128 * CHEAP) as i128;
	assert!(earned <= expected && earned > expected - FST as i128, "Charlie earned {earned}");
	let (dave_free_3, dave_held_3) = balances(&api, &dave).await;
	assert_eq!(dave_held_3, dave_held_0, "Dave's whole prepay is released");
	let spent = dave_free_0 as i128 - dave_free_3 as i128;
	assert!(spent >= expected && spent < expected + FST as i128, "Dave spent {spent}");

	// Order B: NoViolation, Violated (daemon down), NoViolation (restarted).
	let b = wait_settled(&rpc, order_b, PERIODS).await;
	assert!(b["state"].get("finished").is_some(), "{b}");
	assert_eq!(as_u64(&b["violatedPeriods"]), 1, "{b}");
	assert_eq!(as_u64(&b["paid"]) as u128, 2 * DEAR, "{b}");
	let (alice_free_3, alice_held_3) = balances(&api, &alice).await;
	assert_eq!(alice_held_3, alice_held_0, "Alice's whole prepay is released");
	let delta = alice_free_3 as i128 - alice_free_0 as i128;
	let expected = VIOLATION_SLASH as i128 - (2 * DEAR) as i128;
	assert!(delta <= expected && delta > expected - FST as i128, "Alice: {delta}");
	let restored = dear.log_text();
	assert!(
		restored.contains("1 deployment(s) restored from their artifact, 0 recompiled"),
		"{restored}"
	);

	drop((cheap, dear));
	network.finish();
}
