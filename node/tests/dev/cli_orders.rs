//! The `defaas` CLI as a customer uses it: `level list`, `order create|status|cancel`, `order
//! status --follow` through a short auction, the pallet's errors decoded, an oversized package
//! refused before any transaction (`order create`) and before any upload (`deploy`). (Without a
//! node: `cli/tests/offline.rs`.)

use crate::Shared;
use anyhow::{ensure, Context, Result};
use defaas_testkit::{
	bins::defaas,
	client::accounts::keypair,
	steps::{self, FST},
};
use std::sync::Arc;

/// The order id in `order <id> created`.
fn created_id(stdout: &str) -> Result<u64> {
	stdout
		.lines()
		.find_map(|line| line.strip_prefix("order ")?.strip_suffix(" created")?.parse().ok())
		.with_context(|| format!("no `order <id> created` line:\n{stdout}"))
}

pub async fn run(shared: Arc<Shared>) -> Result<()> {
	let chain = shared.node.chain().await?;
	let url = shared.node.ws_url.clone();
	let customer = Shared::suri("cli-orders", "customer");
	let provider_suri = Shared::suri("cli-orders", "provider");
	let provider = keypair(&provider_suri)?;
	// A lease is monitored by a committee: the dev chain's genesis witness lets orders with a
	// committee of 1 in. (No witness of its own: one that cannot report — no key in the node —
	// could be drawn into the dashboard test's committee of 1 and leave its round without a
	// verdict.)
	let package = shared.file("orders-fn.wasm", b"\0asm\x0d\0\x01\0 a tiny stand-in component")?;

	// The paper's four levels, as a table and as JSON.
	let table = defaas(&url, &["level", "list"]).await?.ok()?.stdout;
	let header = table.lines().next().context("a header line")?;
	for column in ["id", "cpu (millicores)", "gpu", "memory MiB", "package MiB", "tag"] {
		ensure!(header.contains(column), "{table}");
	}
	ensure!(table.lines().any(|l| l.starts_with('3') && l.ends_with("ai")), "{table}");
	let levels = defaas(&url, &["--json", "level", "list"]).await?.ok()?.json()?;
	ensure!(levels.as_array().map(Vec::len) == Some(4), "{levels}");
	ensure!(levels[0]["levelId"] == 0 && levels[3]["tag"] == "ai", "{levels}");
	ensure!(levels[2]["memoryMb"] == 2048, "{levels}");

	// An order of 3 periods at ≤ 10 FST: 60 FST prepay held.
	let create = [
		"order",
		"create",
		"--level",
		"0",
		"--periods",
		"3",
		"--max-price",
		"10",
		"--committee",
		"1",
		"--package",
		&package,
		"--suri",
		&customer,
	];
	let with = |extra: &[&'static str]| -> Vec<&str> {
		create.iter().copied().chain(extra.iter().copied()).collect()
	};
	let created = defaas(&url, &with(&["--bid-window", "40"])).await?.ok()?;
	let order_id = created_id(&created.stdout)?;
	let id = order_id.to_string();
	ensure!(created.stdout.contains("60 FST"), "{}", created.stdout);
	let hash = defaas_primitives_hash(&package)?;
	ensure!(created.stdout.contains(&hash), "{}", created.stdout);

	let status = defaas(&url, &["--json", "order", "status", &id]).await?.ok()?.json()?;
	ensure!(status["state"]["bidding"]["biddingEnds"].is_u64(), "{status}");
	ensure!(status["prepay"] == (60 * FST).to_string(), "{status}");
	ensure!(status["packageHash"] == hash.as_str(), "{status}");
	let table = defaas(&url, &["order", "status", &id]).await?.ok()?.stdout;
	ensure!(table.contains("bidding until block"), "{table}");

	// Cancelling releases the whole prepay.
	let cancelled = defaas(&url, &["order", "cancel", &id, "--suri", &customer]).await?.ok()?;
	ensure!(cancelled.stdout.contains("cancelled; 60 FST released"), "{}", cancelled.stdout);
	let status = defaas(&url, &["--json", "order", "status", &id]).await?.ok()?.json()?;
	ensure!(status["state"]["cancelled"]["reason"] == "customerCancelled", "{status}");
	ensure!(status["refunded"] == status["prepay"], "{status}");
	let again = defaas(&url, &["order", "cancel", &id, "--suri", &customer]).await?.failed()?;
	ensure!(again.stderr.contains("Market.CannotCancel"), "{}", again.stderr);

	// Bad arguments come back as the pallet error's name and doc comment.
	let base = with(&["--bid-window", "10"]);
	let replace = |flag: &str, value: &str| set(&base, flag, value);
	fn args(v: &[String]) -> Vec<&str> {
		v.iter().map(String::as_str).collect()
	}
	let failed = defaas(&url, &args(&replace("--committee", "0"))).await?.failed()?;
	ensure!(
		failed.stderr.contains("Market.CommitteeTooSmall: Committee size below `MinCommittee`."),
		"{}",
		failed.stderr
	);
	// More committee members than witnesses that could serve (the tests sharing this node
	// register a few, far from 10): refused at creation.
	let failed = defaas(&url, &args(&replace("--committee", "10"))).await?.failed()?;
	ensure!(failed.stderr.contains("Market.NotEnoughWitnesses"), "{}", failed.stderr);
	// A package over the level's limit (level 0: 50 MB) is refused before any transaction,
	// and `deploy` refuses it before uploading, for an order made for it without the CLI.
	let big_bytes = vec![0u8; 50 * 1024 * 1024 + 1];
	let big = shared.file("orders-big.wasm", &big_bytes)?;
	let oversized = defaas(&url, &args(&replace("--package", &big))).await;
	let terms = steps::Terms {
		committee: 1,
		bid_window: 10,
		package_hash: defaas_primitives::deploy::package_hash(&big_bytes),
		..steps::Terms::default()
	};
	let big_order = steps::create_order(&chain, &keypair(&customer)?, &terms).await;
	let deploy_big = match &big_order {
		Ok(order_id) => {
			let order_id = order_id.to_string();
			Some(defaas(&url, &["deploy", &order_id, "--package", &big, "--suri", &customer]).await)
		},
		Err(_) => None,
	};
	let _ = std::fs::remove_file(&big);
	let failed = oversized?.failed()?;
	ensure!(failed.stderr.contains("more than level 0's 50 MB package limit"), "{}", failed.stderr);
	big_order?;
	let failed = deploy_big.context("deployed")??.failed()?;
	ensure!(failed.stderr.contains("more than level 0's 50 MB package limit"), "{}", failed.stderr);
	let failed = defaas(&url, &with(&["--bid-window", "1"])).await?.failed()?;
	ensure!(
		failed.stderr.contains("Market.BidWindowTooShort: Bid window shorter"),
		"{}",
		failed.stderr
	);

	// Following a short auction with one sealed bid (an online provider): a line per state
	// change, until revealing.
	let register = [
		"provider",
		"register",
		"--stake",
		"1000",
		"--endpoint",
		"http://127.0.0.1:9",
		"--levels",
		"0",
		"--suri",
		&provider_suri,
	];
	defaas(&url, &register).await?.ok()?;
	steps::heartbeat(&chain, &provider, &[(0, 4)]).await?;
	let json: Vec<&str> = ["--json"].into_iter().chain(with(&["--bid-window", "6"])).collect();
	let created = defaas(&url, &json).await?.ok()?.json()?;
	let order_id = created["orderId"].as_u64().context("orderId")?;
	let id = order_id.to_string();
	ensure!(created["packageHash"] == hash.as_str(), "{created}");
	steps::commit_bid(&chain, &provider, order_id, 3 * FST).await?;
	let follow = ["order", "status", &id, "--follow", "--until", "revealing", "--timeout", "60"];
	let follow = defaas(&url, &follow).await?.ok()?;
	ensure!(follow.stdout.lines().all(|l| l.starts_with("block ")), "{}", follow.stdout);
	ensure!(
		follow.stdout.contains("bidding → revealing")
			|| follow.stdout.contains(": revealing until block"),
		"{}",
		follow.stdout
	);
	// The provider never reveals: the order fails, which `--until deploying` reports as an
	// error.
	let follow = ["order", "status", &id, "--follow", "--until", "deploying", "--timeout", "90"];
	let follow = defaas(&url, &follow).await?.failed()?;
	ensure!(follow.stderr.contains("noValidBid"), "{}\n{}", follow.stdout, follow.stderr);
	let timeout =
		defaas(&url, &["order", "status", "999999", "--follow", "--timeout", "1"]).await?;
	ensure!(timeout.failed()?.stderr.contains("no order 999999"));

	Ok(())
}

/// `args` with the value after `flag` replaced by `value`.
fn set(args: &[&str], flag: &str, value: &str) -> Vec<String> {
	let mut out: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
	if let Some(at) = args.iter().position(|a| *a == flag) {
		if let Some(slot) = out.get_mut(at + 1) {
			*slot = value.to_owned();
		}
	}
	out
}

/// The package hash of the file at `path`, as the CLI prints it.
fn defaas_primitives_hash(path: &str) -> Result<String> {
	let bytes = std::fs::read(path).with_context(|| format!("read {path}"))?;
	Ok(defaas_primitives::json::to_hex(&defaas_primitives::deploy::package_hash(&bytes)))
}
