//! A dev node, and the four-validator `local_testnet` network with off-chain workers on.

use crate::{
	bins,
	node::{require_binary, Node},
};
use anyhow::{Context, Result};
use defaas_client::Chain;
use std::path::PathBuf;

/// The validators of the local network, in start order (Alice is the boot node).
pub const VALIDATORS: [&str; 4] = ["alice", "bob", "charlie", "dave"];

/// A fresh directory for one test run's node state and logs (`defaas-<tag>-<pid>` under the
/// temporary directory), removed first if a previous run left it.
pub fn run_dir(tag: &str) -> PathBuf {
	let dir = std::env::temp_dir().join(format!("defaas-{tag}-{}", std::process::id()));
	let _ = std::fs::remove_dir_all(&dir);
	dir
}

/// `defaas-node --dev --tmp` with off-chain workers always on (a dev node runs them anyway;
/// `always` also keeps them on while it syncs).
pub async fn dev_node(tag: &str) -> Result<(Node, PathBuf)> {
	let binary = bins::node();
	require_binary(&binary)?;
	let dir = run_dir(tag);
	let node =
		Node::start(&binary, "dev", &["--dev", "--tmp", "--offchain-worker", "always"], &dir)
			.await?;
	Ok((node, dir))
}

/// Four `local_testnet` validators with off-chain workers always on; state and logs under
/// `dir` (removed by [`LocalNetwork::finish`]).
pub struct LocalNetwork {
	/// State and logs.
	pub dir: PathBuf,
	/// The validators, in [`VALIDATORS`] order.
	pub nodes: Vec<Node>,
}

impl LocalNetwork {
	/// Starts Alice, then Bob, Charlie and Dave with Alice (as she really listens) as their
	/// boot node; returns once every node answers JSON-RPC.
	pub async fn start(tag: &str) -> Result<LocalNetwork> {
		let binary = bins::node();
		require_binary(&binary)?;
		let dir = run_dir(tag);
		let mut nodes = Vec::new();
		let mut bootnode = None::<String>;
		for name in VALIDATORS {
			let base = dir.join(name);
			let base = base.to_str().context("utf-8 path")?.to_string();
			let flag = format!("--{name}");
			let mut args = vec![
				"--chain",
				"local",
				"--validator",
				"--base-path",
				&base,
				"--offchain-worker",
				"always",
				&flag,
				// A validator refuses to invent a network key unless told to; it is kept in
				// the base path, so a restarted node has the same peer id.
				"--unsafe-force-node-key-generation",
			];
			if let Some(bootnode) = &bootnode {
				args.extend(["--bootnodes", bootnode]);
			}
			let node = Node::start(&binary, name, &args, &dir).await?;
			if bootnode.is_none() {
				bootnode = Some(node.multiaddr.clone());
			}
			nodes.push(node);
		}
		Ok(LocalNetwork { dir, nodes })
	}

	/// Node `name` (`alice`, `bob`, ...).
	pub fn node(&self, name: &str) -> &Node {
		let index = VALIDATORS.iter().position(|n| *n == name).unwrap_or(0);
		&self.nodes[index]
	}

	/// Node `name`, mutably (to kill or restart it).
	pub fn node_mut(&mut self, name: &str) -> &mut Node {
		let index = VALIDATORS.iter().position(|n| *n == name).unwrap_or(0);
		&mut self.nodes[index]
	}

	/// A client of node `name`.
	pub async fn chain(&self, name: &str) -> Result<Chain> {
		self.node(name).chain().await
	}

	/// The last lines of every node's log.
	pub fn log_tails(&self) -> String {
		self.nodes
			.iter()
			.map(|node| format!("---- {} ----\n{}", node.name, node.log_tail()))
			.collect::<Vec<_>>()
			.join("\n")
	}

	/// Stops every node and removes their state (kept when the test failed, for its logs).
	pub fn finish(self, keep: bool) {
		let dir = self.dir.clone();
		drop(self.nodes);
		if !keep {
			let _ = std::fs::remove_dir_all(dir);
		}
	}
}
