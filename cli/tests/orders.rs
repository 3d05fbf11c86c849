//! `defaas level list`, `order create|status|cancel`, `order status --follow`, decoded errors
//! and an unreachable node, against a real dev chain.

mod support;

use subxt::dynamic::Value as DynValue;
use support::{defaas, submit, DevNode, Scratch, FST};

/// The order id in `order <id> created`.
fn created_id(stdout: &str) -> u64 {
	stdout
		.lines()
		.find_map(|line| line.strip_prefix("order ")?.strip_suffix(" created")?.parse().ok())
		.unwrap_or_else(|| panic!("no `order <id> created` line:\n{stdout}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn customer_creates_follows_and_cancels_orders() {
	let node = DevNode::start("cli-orders").await;
	let (rpc, api) = node.clients();
	let url = node.ws_url.clone();
	let scratch = Scratch::new("orders");
	// A lease is monitored by a committee: one witness lets orders with a committee of 1 in.
	let eve = subxt_signer::sr25519::dev::eve();
	submit(
		&api,
		&rpc,
		&eve,
		"WitnessPool",
		"register_witness",
		vec![DynValue::u128(100 * FST), DynValue::from_bytes([5u8; 32])],
	)
	.await;
	let package = scratch.file("fn.wasm", b"\0asm\x0d\0\x01\0 a tiny stand-in component");

	// The paper's four levels, as a table and as JSON.
	let table = defaas(&url, &["level", "list"]).await.ok().stdout;
	let header = table.lines().next().unwrap();
	for column in ["id", "cpu (millicores)", "gpu", "memory MiB", "package MiB", "tag"] {
		assert!(header.contains(column), "{table}");
	}
	assert!(table.lines().any(|l| l.starts_with('3') && l.ends_with("ai")), "{table}");
	let levels = defaas(&url, &["--json", "level", "list"]).await.ok().json();
	assert_eq!(levels.as_array().map(Vec::len), Some(4), "{levels}");
	assert_eq!(levels[0]["levelId"], 0);
	assert_eq!(levels[3]["tag"], "ai");
	assert_eq!(levels[2]["memoryMb"], 2048);

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
		"//Dave",
	];
	let created = defaas(&url, &[&create[..], &["--bid-window", "40"]].concat()).await.ok();
	let order_id = created_id(&created.stdout);
	assert!(created.stdout.contains("60 FST"), "{}", created.stdout);
	let hash = defaas_primitives::json::to_hex(&defaas_primitives::deploy::package_hash(
		&std::fs::read(&package).unwrap(),
	));
	assert!(created.stdout.contains(&hash), "{}", created.stdout);

	let status = defaas(&url, &["--json", "order", "status", &order_id.to_string()]).await.ok();
	let status = status.json();
	assert!(status["state"]["bidding"]["biddingEnds"].is_u64(), "{status}");
	assert_eq!(status["prepay"], (60 * FST).to_string());
	assert_eq!(status["packageHash"], hash.as_str());
	let table = defaas(&url, &["order", "status", &order_id.to_string()]).await.ok().stdout;
	assert!(table.contains("bidding until block"), "{table}");

	// Cancelling releases the whole prepay.
	let cancelled =
		defaas(&url, &["order", "cancel", &order_id.to_string(), "--suri", "//Dave"]).await.ok();
	assert!(cancelled.stdout.contains("cancelled; 60 FST released"), "{}", cancelled.stdout);
	let status = defaas(&url, &["--json", "order", "status", &order_id.to_string()]).await.ok();
	let status = status.json();
	assert_eq!(status["state"]["cancelled"]["reason"], "customerCancelled", "{status}");
	assert_eq!(status["refunded"], status["prepay"]);
	let again = defaas(&url, &["order", "cancel", &order_id.to_string(), "--suri", "//Dave"]).await;
	assert!(again.failed().stderr.contains("Market.CannotCancel"));

	// Bad arguments come back as the pallet error's name and doc comment.
	let zero_committee = [&create[..], &["--bid-window", "10"]].concat();
	let zero_committee: Vec<&str> =
		zero_committee.iter().map(|a| if *a == "1" { "0" } else { a }).collect();
	let failed = defaas(&url, &zero_committee).await.failed();
	assert!(
		failed.stderr.contains("Market.CommitteeTooSmall: Committee size below `MinCommittee`."),
		"{}",
		failed.stderr
	);
	// More committee members than witnesses that could serve: refused at creation.
	let two: Vec<&str> = [&create[..], &["--bid-window", "10"]]
		.concat()
		.iter()
		.map(|a| if *a == "1" { "2" } else { a })
		.collect();
	let failed = defaas(&url, &two).await.failed();
	assert!(failed.stderr.contains("Market.NotEnoughWitnesses"), "{}", failed.stderr);
	// A package over the level's limit (level 0: 50 MB) is refused before any transaction.
	let big = scratch.file("big.wasm", &vec![0u8; 50 * 1024 * 1024 + 1]);
	let oversized: Vec<&str> = [&create[..], &["--bid-window", "10"]]
		.concat()
		.iter()
		.map(|a| if *a == package.as_str() { big.as_str() } else { a })
		.collect();
	let failed = defaas(&url, &oversized).await.failed();
	assert!(failed.stderr.contains("more than level 0's 50 MB package limit"), "{}", failed.stderr);
	let failed = defaas(&url, &[&create[..], &["--bid-window", "1"]].concat()).await.failed();
	assert!(
		failed.stderr.contains("Market.BidWindowTooShort: Bid window shorter"),
		"{}",
		failed.stderr
	);
	let failed = defaas(&url, &[&create[..], &["--bid-window", "nine"]].concat()).await.failed();
	assert!(failed.stderr.contains("--bid-window"), "{}", failed.stderr);

	// Following a short auction with one sealed bid (Bob, an online provider): a line per
	// state change, until revealing.
	defaas(
		&url,
		&[
			"provider",
			"register",
			"--stake",
			"1000",
			"--endpoint",
			"http://127.0.0.1:9",
			"--levels",
			"0",
			"--suri",
			"//Bob",
		],
	)
	.await
	.ok();
	let bob = subxt_signer::sr25519::dev::bob();
	let capacity = DynValue::unnamed_composite([DynValue::u128(0), DynValue::u128(4)]);
	submit(&api, &rpc, &bob, "Market", "heartbeat", vec![DynValue::unnamed_composite([capacity])])
		.await;
	let created = defaas(
		&url,
		&["--json"]
			.iter()
			.chain(&create)
			.chain(&["--bid-window", "6"])
			.copied()
			.collect::<Vec<_>>(),
	)
	.await
	.ok()
	.json();
	let order_id = created["orderId"].as_u64().expect("orderId");
	assert_eq!(created["packageHash"], hash.as_str());
	let commitment = defaas_primitives::commitments::bid_commitment(
		order_id,
		&(3 * FST),
		&[1u8; 32],
		&bob.public_key().0,
	);
	submit(
		&api,
		&rpc,
		&bob,
		"Market",
		"commit_bid",
		vec![DynValue::u128(order_id.into()), DynValue::from_bytes(commitment)],
	)
	.await;
	let follow = defaas(
		&url,
		&[
			"order",
			"status",
			&order_id.to_string(),
			"--follow",
			"--until",
			"revealing",
			"--timeout",
			"60",
		],
	)
	.await
	.ok();
	assert!(follow.stdout.lines().all(|l| l.starts_with("block ")), "{}", follow.stdout);
	assert!(
		follow.stdout.contains("bidding → revealing")
			|| follow.stdout.contains(": revealing until block"),
		"{}",
		follow.stdout
	);
	// Bob never reveals: the order fails, which `--until deploying` reports as an error.
	let follow = defaas(
		&url,
		&[
			"order",
			"status",
			&order_id.to_string(),
			"--follow",
			"--until",
			"deploying",
			"--timeout",
			"90",
		],
	)
	.await
	.failed();
	assert!(follow.stderr.contains("noValidBid"), "{}\n{}", follow.stdout, follow.stderr);
	let timeout = defaas(&url, &["order", "status", "999", "--follow", "--timeout", "1"]).await;
	assert!(timeout.failed().stderr.contains("no order 999"));

	// An unreachable node is one clear line.
	// Nothing listens on port 1 (tcpmux): the connection is refused at once.
	let nowhere = "ws://127.0.0.1:1".to_string();
	let failed = defaas(&nowhere, &["level", "list"]).await.failed();
	assert!(
		failed.stderr.starts_with(&format!("error: cannot reach a DeFaaS node at {nowhere}")),
		"{}",
		failed.stderr
	);
	assert_eq!(failed.stderr.trim().lines().count(), 1, "{}", failed.stderr);
	drop(node);
}
