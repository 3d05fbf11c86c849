//! A provider daemon killed (SIGKILL) right after committing its sealed bid still reveals it
//! after a restart: the salt was in its store before the commitment left the process.

use crate::common::*;
use serde_json::Value;
use subxt::rpcs::rpc_params;

#[tokio::test(flavor = "multi_thread")]
async fn a_restarted_daemon_reveals_the_bid_it_committed_before_the_kill() {
	tokio::task::spawn_blocking(build_cli_and_provider).await.expect("build");
	let mut node = Node::spawn("dev", &["--dev", "--tmp", "--offchain-worker", "always"]);
	let (rpc, _api) = node.connect().await;
	let url = node.ws_url.clone();

	let dir = std::env::temp_dir().join(format!("defaas-provider-restart-{}", std::process::id()));
	let _ = std::fs::remove_dir_all(&dir);
	let mut daemon = Daemon::start(&dir, &url, "//Charlie", "4", 1);
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
			"//Charlie",
		],
	);
	let charlie = ss58(&account_id(&keypair("//Charlie")));
	wait_online(&rpc, &account_id(&keypair("//Charlie"))).await;

	// A package file only to hash: the order never gets that far.
	let package = dir.join("package.wasm");
	std::fs::write(&package, b"\0asm not deployed").expect("package");
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
			"12",
			"--package",
			package.to_str().expect("utf-8"),
			"--suri",
			"//Dave",
		],
	);
	let order_id = as_u64(&created["orderId"]);

	// Kill the daemon as soon as its commitment is on chain, then restart it.
	poll("Charlie's sealed bid", 120, || {
		let rpc = rpc.clone();
		async move {
			let order: Value = rpc.request("defaas_order", rpc_params![order_id]).await.ok()?;
			(as_u64(&order["bids"]) >= 1).then_some(())
		}
	})
	.await;
	daemon.kill();
	let committed_log = daemon.log_text();
	assert!(committed_log.contains("commit_bid submitted"), "{committed_log}");
	daemon.restart();

	// The restarted daemon reveals (the auction picks Charlie at 4 FST) and confirms.
	let order = poll("the auction to pick Charlie", 180, || {
		let rpc = rpc.clone();
		async move {
			let order: Value = rpc.request("defaas_order", rpc_params![order_id]).await.ok()?;
			let state = &order["state"];
			let picked = state.get("deploying").is_some() || state.get("confirming").is_some();
			picked.then_some(order)
		}
	})
	.await;
	assert_eq!(
		order["provider"].as_str().or(order["state"]["confirming"]["candidate"].as_str()),
		Some(charlie.as_str()),
		"{order}"
	);
	let log_text = daemon.log_text();
	let after_restart = log_text.split("commit_bid submitted").last().unwrap_or_default();
	assert!(after_restart.contains("reveal_bid submitted"), "{log_text}");
	assert!(!after_restart.contains("commit_bid submitted"), "no second commitment");
	drop(daemon);
	let _ = std::fs::remove_dir_all(&dir);
	node.stop();
}
