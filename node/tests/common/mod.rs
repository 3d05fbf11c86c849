//! Spawns the real `defaas-node` binary on free 127.0.0.1 ports and stops it on drop.

#![allow(dead_code)]

use std::{
	fs::File,
	net::TcpListener,
	path::PathBuf,
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};
use subxt::{
	dynamic, ext::scale_decode::DecodeAsType, rpcs::RpcClient, utils::H256, OnlineClient,
	PolkadotConfig,
};

/// The node binary cargo built for these tests.
pub const NODE_BIN: &str = env!("CARGO_BIN_EXE_defaas-node");

/// How long a fresh node may take to answer RPC (it compiles the runtime on start).
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(180);

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0")
		.and_then(|listener| listener.local_addr())
		.map(|addr| addr.port())
		.expect("a free port on 127.0.0.1")
}

/// A running `defaas-node`, killed when dropped.
pub struct Node {
	child: Child,
	/// `ws://127.0.0.1:<port>` of its JSON-RPC server.
	pub ws_url: String,
	/// Where the node's log goes.
	pub log_path: PathBuf,
}

impl Node {
	/// Starts `defaas-node --dev --tmp` with RPC and p2p on free loopback ports.
	pub fn spawn_dev(name: &str) -> Node {
		let rpc_port = free_port();
		let p2p_port = free_port();
		let log_path = std::env::temp_dir()
			.join(format!("defaas-{name}-{}-{rpc_port}.log", std::process::id()));
		let log = File::create(&log_path).expect("log file");
		let child = Command::new(NODE_BIN)
			.args(["--dev", "--tmp", "--no-telemetry", "--no-prometheus", "--no-mdns"])
			.args(["--name", name])
			.args(["--rpc-port", &rpc_port.to_string()])
			.args(["--listen-addr", &format!("/ip4/127.0.0.1/tcp/{p2p_port}")])
			.stdout(Stdio::null())
			.stderr(log)
			.spawn()
			.expect("spawn defaas-node");
		Node { child, ws_url: format!("ws://127.0.0.1:{rpc_port}"), log_path }
	}

	/// The last lines of the node's log, for failure messages.
	pub fn log_tail(&self) -> String {
		let log = std::fs::read_to_string(&self.log_path).unwrap_or_default();
		let lines: Vec<&str> = log.lines().collect();
		lines[lines.len().saturating_sub(40)..].join("\n")
	}

	/// Waits until the node answers JSON-RPC, then returns a raw RPC client and a subxt client.
	pub async fn connect(&mut self) -> (RpcClient, OnlineClient<PolkadotConfig>) {
		let deadline = Instant::now() + STARTUP_TIMEOUT;
		loop {
			if let Ok(Some(status)) = self.child.try_wait() {
				panic!("defaas-node exited early ({status}):\n{}", self.log_tail());
			}
			if let Ok(rpc) = RpcClient::from_insecure_url(&self.ws_url).await {
				if let Ok(api) = OnlineClient::<PolkadotConfig>::from_rpc_client(rpc.clone()).await
				{
					return (rpc, api);
				}
			}
			assert!(
				Instant::now() < deadline,
				"defaas-node did not answer on {} within {STARTUP_TIMEOUT:?}:\n{}",
				self.ws_url,
				self.log_tail()
			);
			tokio::time::sleep(Duration::from_millis(250)).await;
		}
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
		if !std::thread::panicking() {
			let _ = std::fs::remove_file(&self.log_path);
		}
	}
}

/// `System.Account` as far as the tests need it.
#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
pub struct AccountInfo {
	/// Balances.
	pub data: AccountData,
}

/// The FST balances of an account.
#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
pub struct AccountData {
	/// Free FST.
	pub free: u128,
	/// FST on hold (escrow, deposits, stakes).
	pub reserved: u128,
}

/// The account data of `who` at block `at`.
pub async fn account(api: &OnlineClient<PolkadotConfig>, at: H256, who: [u8; 32]) -> AccountData {
	let at = api.at_block(at).await.expect("block");
	let address = dynamic::storage::<([u8; 32],), AccountInfo>("System", "Account");
	let value = at.storage().fetch(address, (who,)).await.expect("System.Account");
	value.decode().expect("AccountInfo").data
}
