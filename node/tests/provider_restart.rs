//! A provider daemon killed (SIGKILL) right after committing its sealed bid still reveals it
//! after a restart: the salt was in its store before the commitment left the process.

mod common;

use common::*;
use serde_json::Value;
use std::{
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
};
use subxt::rpcs::rpc_params;

/// `target/release`, where cargo put the node and the other workspace binaries.
fn bin_dir() -> PathBuf {
	Path::new(NODE_BIN).parent().expect("the node binary's directory").to_path_buf()
}

/// Builds `defaas` and `defaas-provider` (a no-op after `cargo test --workspace`).
fn build_binaries() {
	let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("repo root");
	let target = bin_dir().parent().expect("target dir").to_path_buf();
	let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
	let status = Command::new(cargo)
		.current_dir(root)
		.env("CARGO_TARGET_DIR", target)
		.args(["build", "--release", "-p", "defaas-cli", "-p", "defaas-provider"])
		.status()
		.expect("cargo build");
	assert!(status.success(), "building defaas and defaas-provider");
}

fn cli(url: &str, args: &[&str]) -> String {
	let output = Command::new(bin_dir().join("defaas"))
		.args(["--url", url])
		.args(args)
		.output()
		.expect("run defaas");
	assert!(
		output.status.success(),
		"defaas {args:?}: {}\n{}",
		String::from_utf8_lossy(&output.stdout),
		String::from_utf8_lossy(&output.stderr)
	);
	String::from_utf8_lossy(&output.stdout).into_owned()
}

fn spawn_daemon(config: &Path, log: &Path) -> Child {
	let log = std::fs::File::options().create(true).append(true).open(log).expect("log");
	Command::new(bin_dir().join("defaas-provider"))
		.arg("--config")
		.arg(config)
		.arg("--insert-heartbeat-key")
		.stdout(Stdio::null())
		.stderr(log)
		.spawn()
		.expect("spawn defaas-provider")
}

/// Kills the child on drop.
struct Killed(Child);

impl Drop for Killed {
	fn drop(&mut self) {
		let _ = self.0.kill();
		let _ = self.0.wait();
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restarted_daemon_reveals_the_bid_it_committed_before_the_kill() {
	tokio::task::spawn_blocking(build_binaries).await.expect("build");
	let mut node = Node::spawn("dev", &["--dev", "--tmp", "--offchain-worker", "always"]);
	let (rpc, _api) = node.connect().await;
	let url = node.ws_url.clone();

	let dir = std::env::temp_dir().join(format!("defaas-provider-restart-{}", std::process::id()));
	let _ = std::fs::remove_dir_all(&dir);
	std::fs::create_dir_all(&dir).expect("dir");
	let port = free_port();
	let config = dir.join("provider.toml");
	std::fs::write(
		&config,
		format!(
			"node_url = \"{url}\"\nsuri = \"//Charlie\"\nlisten = \"127.0.0.1:{port}\"\n\
			 public_url = \"http://127.0.0.1:{port}\"\ndata_dir = \"{}\"\n\n[[level]]\nid = 0\n\
			 price = \"4\"\ncapacity = 1\n",
			dir.join("data").display()
		),
	)
	.expect("config");
	let log = dir.join("provider.log");
	let mut daemon = Killed(spawn_daemon(&config, &log));
	cli(
		&url,
		&[
			"provider",
			"register",
			"--stake",
			"1000",
			"--endpoint",
			&format!("http://127.0.0.1:{port}"),
			"--levels",
			"0",
			"--suri",
			"//Charlie",
		],
	);
	let charlie = ss58(&account_id(&keypair("//Charlie")));
	poll("Charlie's heartbeat", 120, || {
		let (rpc, charlie) = (rpc.clone(), charlie.clone());
		async move {
			let view: Value = rpc.request("defaas_provider", rpc_params![charlie]).await.ok()?;
			(view["online"] == Value::Bool(true)).then_some(())
		}
	})
	.await;

	// A package file only to hash: the order never gets that far.
	let package = dir.join("package.wasm");
	std::fs::write(&package, b"\0asm not deployed").expect("package");
	let created = cli(
		&url,
		&[
			"--json",
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
	let created: Value = serde_json::from_str(&created).expect("JSON");
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
	let _ = daemon.0.kill();
	let _ = daemon.0.wait();
	let committed_log = std::fs::read_to_string(&log).unwrap_or_default();
	assert!(committed_log.contains("commit_bid submitted"), "{committed_log}");
	daemon = Killed(spawn_daemon(&config, &log));

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
	let log_text = std::fs::read_to_string(&log).unwrap_or_default();
	let after_restart = log_text.split("commit_bid submitted").last().unwrap_or_default();
	assert!(after_restart.contains("reveal_bid submitted"), "{log_text}");
	assert!(!after_restart.contains("commit_bid submitted"), "no second commitment");
	drop(daemon);
	let _ = std::fs::remove_dir_all(&dir);
	node.stop();
}
