//! Real `defaas-node` processes.
//!
//! A node is started with `--rpc-port 0` and `--listen-addr /ip4/127.0.0.1/tcp/0`: the kernel
//! picks free ports while the node binds them, and the kit reads the bound addresses back (the
//! JSON-RPC address from the node's log line `Running JSON-RPC server: addr=…`, the p2p
//! address from `system_localListenAddresses`). Nothing binds a port, releases it and hands it
//! to a child. A restarted node binds the ports it had before (its peers and clients know them).

use crate::wait::{until, STARTUP_TIMEOUT};
use anyhow::{anyhow, bail, Context, Result};
use defaas_client::{subxt::rpcs::rpc_params, Chain};
use std::{
	fs::File,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::Instant,
};

/// A running `defaas-node`, killed when dropped.
pub struct Node {
	/// Its name (`--name`), e.g. `alice`.
	pub name: String,
	child: Child,
	/// The arguments it was started with, without the port flags.
	args: Vec<String>,
	binary: PathBuf,
	/// Where the node's log (stderr) goes.
	pub log_path: PathBuf,
	/// The JSON-RPC port it bound.
	pub rpc_port: u16,
	/// The p2p port it bound.
	pub p2p_port: u16,
	/// `ws://127.0.0.1:<rpc_port>`.
	pub ws_url: String,
	/// `/ip4/127.0.0.1/tcp/<p2p_port>/p2p/<peer id>`.
	pub multiaddr: String,
}

impl Node {
	/// Starts `binary` with `args` plus a name, loopback RPC and p2p on ports the node binds
	/// itself, and no telemetry, Prometheus or mDNS; its log goes to `log_dir`. Returns once it
	/// answers JSON-RPC.
	pub async fn start(binary: &Path, name: &str, args: &[&str], log_dir: &Path) -> Result<Node> {
		std::fs::create_dir_all(log_dir).context("log directory")?;
		let log_path = log_dir.join(format!("{name}.log"));
		let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
		let mut node = Node {
			name: name.to_string(),
			child: spawn(binary, name, &args, 0, 0, &log_path)?,
			args,
			binary: binary.to_path_buf(),
			log_path,
			rpc_port: 0,
			p2p_port: 0,
			ws_url: String::new(),
			multiaddr: String::new(),
		};
		node.wait_for_rpc(0).await?;
		node.read_p2p_address().await?;
		Ok(node)
	}

	/// Waits for the log line naming the bound JSON-RPC address (after byte `from` of the log),
	/// then until the node answers.
	async fn wait_for_rpc(&mut self, from: u64) -> Result<()> {
		let deadline = Instant::now() + STARTUP_TIMEOUT;
		let port = until(&format!("{} to open its JSON-RPC port", self.name), deadline, || {
			if let Ok(Some(status)) = self.child.try_wait() {
				return Err(anyhow!("defaas-node {} exited early ({status})", self.name));
			}
			Ok(rpc_port_in_log(&self.log_path, from))
		})
		.await
		.map_err(|e| anyhow!("{e}\n{}", self.log_tail()))?;
		self.rpc_port = port;
		self.ws_url = format!("ws://127.0.0.1:{port}");
		Ok(())
	}

	/// Reads the p2p address the node listens on from `system_localListenAddresses`.
	async fn read_p2p_address(&mut self) -> Result<()> {
		let chain = self.chain().await?;
		let addresses: Vec<String> = chain
			.rpc
			.request("system_localListenAddresses", rpc_params![])
			.await
			.context("system_localListenAddresses")?;
		let multiaddr = addresses
			.into_iter()
			.find(|a| a.starts_with("/ip4/127.0.0.1/tcp/"))
			.with_context(|| format!("{} listens on no loopback TCP address", self.name))?;
		self.p2p_port = multiaddr
			.split('/')
			.nth(4)
			.and_then(|port| port.parse().ok())
			.with_context(|| format!("no port in {multiaddr}"))?;
		self.multiaddr = multiaddr;
		Ok(())
	}

	/// A client of the node (reconnects by itself if the node restarts).
	pub async fn chain(&self) -> Result<Chain> {
		Chain::connect(&self.ws_url).await
	}

	/// Kills the node like a crash (SIGKILL) and waits for it to exit.
	pub fn kill(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}

	/// Kills the node and starts it again with the same arguments, base path and ports;
	/// returns once it answers JSON-RPC again.
	pub async fn restart(&mut self) -> Result<()> {
		self.kill();
		let from = std::fs::metadata(&self.log_path).map(|m| m.len()).unwrap_or(0);
		self.child = spawn(
			&self.binary,
			&self.name,
			&self.args,
			self.rpc_port,
			self.p2p_port,
			&self.log_path,
		)?;
		self.wait_for_rpc(from).await
	}

	/// The last 40 lines of the node's log, for failure messages.
	pub fn log_tail(&self) -> String {
		tail(&self.log_path, 40)
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		self.kill();
	}
}

fn spawn(
	binary: &Path,
	name: &str,
	args: &[String],
	rpc_port: u16,
	p2p_port: u16,
	log_path: &Path,
) -> Result<Child> {
	let log = File::options().create(true).append(true).open(log_path).context("node log")?;
	Command::new(binary)
		.args(args)
		.args(["--no-telemetry", "--no-prometheus", "--no-mdns", "--name", name])
		.args(["--rpc-port", &rpc_port.to_string()])
		.args(["--listen-addr", &format!("/ip4/127.0.0.1/tcp/{p2p_port}")])
		.stdout(Stdio::null())
		.stderr(log)
		.spawn()
		.with_context(|| format!("spawn {}", binary.display()))
}

/// The port of the first `Running JSON-RPC server: addr=127.0.0.1:<port>` line after byte
/// `from` of the log.
fn rpc_port_in_log(log_path: &Path, from: u64) -> Option<u16> {
	let log = std::fs::read(log_path).ok()?;
	let start = usize::try_from(from).ok()?.min(log.len());
	let text = String::from_utf8_lossy(log.get(start..)?);
	let line = text.lines().find(|line| line.contains("Running JSON-RPC server: addr="))?;
	let address = line.split("addr=").nth(1)?;
	let address = address.split([',', ' ']).next()?;
	address.rsplit(':').next()?.parse().ok()
}

/// The last `lines` lines of a file.
pub fn tail(path: &Path, lines: usize) -> String {
	let text = std::fs::read_to_string(path).unwrap_or_default();
	let all: Vec<&str> = text.lines().collect();
	all[all.len().saturating_sub(lines)..].join("\n")
}

/// Checks that a binary exists, with a hint how to build it.
pub fn require_binary(path: &Path) -> Result<()> {
	if !path.exists() {
		bail!("{} is missing: build it first (cargo build --release)", path.display());
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_rpc_port_is_read_from_the_log_line() {
		let dir = std::env::temp_dir().join(format!("defaas-testkit-log-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let log = dir.join("node.log");
		std::fs::write(&log, "2026 INFO Running JSON-RPC server: addr=127.0.0.1:41234,\n").unwrap();
		assert_eq!(rpc_port_in_log(&log, 0), Some(41234));
		let len = std::fs::metadata(&log).unwrap().len();
		assert_eq!(rpc_port_in_log(&log, len), None);
		std::fs::write(
			&log,
			"x\nINFO Running JSON-RPC server: addr=127.0.0.1:9944, allowed origins=[\"*\"]\n",
		)
		.unwrap();
		assert_eq!(rpc_port_in_log(&log, 0), Some(9944));
		std::fs::remove_dir_all(dir).unwrap();
	}
}
