//! A computing pool for tests (docs/architecture.md §13): a real `nats-server` (Debian's
//! package, installed by `.ci/run`) with JetStream, and `defaas-provider` workers — each in a
//! network namespace of its own when the machine allows it.
//!
//! - [`NatsServer`]: `nats-server -js` on a port it picks itself (`-p -1`), read back from its
//!   log; listening on every address so that namespaced workers reach it.
//! - [`TestHost`]: a network namespace joined to this machine by a veth pair: the worker's side
//!   has one address and one route, to this machine's side of the pair — no default route, no
//!   listener: like a device behind NAT, it can only dial out to the NATS host.
//! - [`PoolWorker`]: a worker process (`[pool] role = "worker"`), in a [`TestHost`] or, where
//!   namespaces cannot be made (no `ip` or no `CAP_NET_ADMIN`), a plain process — the test
//!   says which ([`TestHost::available`]).

use crate::{
	bins,
	node::tail,
	wait::{until, STARTUP_TIMEOUT},
};
use anyhow::{anyhow, bail, Context, Result};
use std::{
	fs::File,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	sync::atomic::{AtomicU32, Ordering},
	time::Instant,
};

/// A running `nats-server` with JetStream, killed when dropped.
pub struct NatsServer {
	child: Child,
	/// Its port (on every address of the machine).
	pub port: u16,
	/// Its monitoring port (`/connz` and the like, on every address).
	pub monitor_port: u16,
	/// Its log.
	pub log: PathBuf,
}

impl NatsServer {
	/// Starts `nats-server` with JetStream storing under `dir`; returns once it accepts clients.
	pub async fn start(dir: &Path) -> Result<Self> {
		let binary = which("nats-server").context(
			"nats-server is not installed (Debian: apt-get install nats-server; .ci/run does it)",
		)?;
		std::fs::create_dir_all(dir).context("nats dir")?;
		let log = dir.join("nats.log");
		let file = File::options().create(true).append(true).open(&log).context("nats log")?;
		let child = Command::new(binary)
			.args(["-a", "0.0.0.0", "-p", "-1", "-m", "-1", "-js", "-sd"])
			.arg(dir.join("jetstream"))
			.stdout(Stdio::null())
			.stderr(file)
			.spawn()
			.context("spawn nats-server")?;
		let mut server = NatsServer { child, port: 0, monitor_port: 0, log };
		let deadline = Instant::now() + STARTUP_TIMEOUT;
		let log = server.log.clone();
		let port = until("nats-server to accept clients", deadline, || {
			if let Ok(Some(status)) = server.child.try_wait() {
				bail!("nats-server exited early ({status})\n{}", tail(&log, 20));
			}
			let text = std::fs::read_to_string(&log).unwrap_or_default();
			Ok(client_port(&text).zip(monitor_port(&text)))
		})
		.await?;
		(server.port, server.monitor_port) = port;
		Ok(server)
	}

	/// The names of the clients connected now (the server's `/connz`).
	pub fn connection_names(&self) -> Result<Vec<String>> {
		use std::io::{Read, Write};
		let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.monitor_port))
			.context("connect to the monitoring port")?;
		stream.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
		stream.write_all(b"GET /connz?limit=1024 HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
		let mut answer = String::new();
		stream.read_to_string(&mut answer)?;
		let body = answer.split_once("\r\n\r\n").map(|(_, body)| body).unwrap_or_default();
		let connz: serde_json::Value = serde_json::from_str(body).context("/connz JSON")?;
		Ok(connz["connections"]
			.as_array()
			.map(|all| all.iter().filter_map(|c| c["name"].as_str().map(str::to_owned)).collect())
			.unwrap_or_default())
	}

	/// Waits until no client named `name` is connected (the server has dropped a killed
	/// worker's connection and its subscriptions).
	pub async fn wait_disconnected(&self, name: &str) -> Result<()> {
		let deadline = Instant::now() + STARTUP_TIMEOUT;
		until(&format!("NATS to drop the connection of {name}"), deadline, || {
			Ok(self.connection_names()?.iter().all(|n| n != name).then_some(()))
		})
		.await
	}

	/// Waits until a client named `name` is connected.
	pub async fn wait_connected(&self, name: &str) -> Result<()> {
		let deadline = Instant::now() + STARTUP_TIMEOUT;
		until(&format!("{name} to connect to NATS"), deadline, || {
			Ok(self.connection_names()?.iter().any(|n| n == name).then_some(()))
		})
		.await
	}

	/// The URL of the server at `host` (an address of this machine).
	pub fn url_at(&self, host: &str) -> String {
		format!("nats://{host}:{}", self.port)
	}

	/// The URL on loopback.
	pub fn url(&self) -> String {
		self.url_at("127.0.0.1")
	}

	/// The version, as `nats-server --version` prints it.
	pub fn version() -> Result<String> {
		let output = Command::new(which("nats-server").context("nats-server")?)
			.arg("--version")
			.output()
			.context("nats-server --version")?;
		Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
	}
}

impl Drop for NatsServer {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

/// The port of `Listening for client connections on 0.0.0.0:<port>` in a nats-server log.
fn client_port(log: &str) -> Option<u16> {
	let line = log.lines().find(|line| line.contains("Listening for client connections on"))?;
	line.rsplit(':').next()?.trim().parse().ok()
}

/// The port of `Starting http monitor on 0.0.0.0:<port>` in a nats-server log.
fn monitor_port(log: &str) -> Option<u16> {
	let line = log.lines().find(|line| line.contains("Starting http monitor on"))?;
	line.rsplit(':').next()?.trim().parse().ok()
}

/// The path of `program` on `PATH` (and in the sbin directories, where Debian puts `ip`).
fn which(program: &str) -> Option<PathBuf> {
	let path = std::env::var("PATH").unwrap_or_default();
	let found = path
		.split(':')
		.chain(["/usr/sbin", "/sbin", "/usr/bin", "/bin"])
		.map(|dir| Path::new(dir).join(program))
		.find(|candidate| candidate.is_file());
	found
}

/// Namespaces made by this process so far (their names and subnets are unique per process).
static HOSTS: AtomicU32 = AtomicU32::new(0);

/// A network namespace with a veth pair to this machine, deleted (with the pair) when dropped.
pub struct TestHost {
	/// The namespace's name.
	pub name: String,
	/// This machine's address on the pair: where the namespace reaches it.
	pub gateway_address: String,
	/// The namespace's own address.
	pub address: String,
}

impl TestHost {
	/// Whether namespaces can be made here (`ip` exists and `ip netns add` works).
	pub fn available() -> bool {
		let Some(ip) = which("ip") else { return false };
		let probe = format!("defaas-probe-{}", std::process::id());
		let made = Command::new(&ip)
			.args(["netns", "add", &probe])
			.stderr(Stdio::null())
			.status()
			.is_ok_and(|s| s.success());
		if made {
			let _ = Command::new(&ip).args(["netns", "delete", &probe]).status();
		}
		made
	}

	/// Makes a namespace and its veth pair: `10.<x>.<y>.1` here, `.2` in the namespace, a
	/// route to the `/30` only.
	pub fn create() -> Result<Self> {
		let ip = which("ip").context("the ip command")?;
		let index = HOSTS.fetch_add(1, Ordering::Relaxed);
		let pid = std::process::id();
		let name = format!("dfs{pid}h{index}");
		// A /30 per namespace, spread by process id so that two test processes differ; taken
		// addresses are skipped.
		let run = |args: &[&str]| -> Result<()> {
			let output = Command::new(&ip).args(args).output().context("run ip")?;
			if !output.status.success() {
				bail!("ip {}: {}", args.join(" "), String::from_utf8_lossy(&output.stderr).trim());
			}
			Ok(())
		};
		run(&["netns", "add", &name])?;
		// Made now so that a failure below deletes the namespace again.
		let mut host =
			TestHost { name: name.clone(), gateway_address: String::new(), address: String::new() };
		let (outside, inside) = (format!("{name}o"), format!("{name}i"));
		run(&["link", "add", &outside, "type", "veth", "peer", "name", &inside])?;
		run(&["link", "set", &inside, "netns", &name])?;
		let mut chosen = None;
		for attempt in 0..64u32 {
			let slot =
				(pid.wrapping_mul(7).wrapping_add(index).wrapping_add(attempt * 97)) % 16_000;
			let (x, y, z) = (200 + slot / 4000, (slot / 64) % 62 + 1, (slot % 64) * 4);
			let (here, there) = (format!("10.{x}.{y}.{}", z + 1), format!("10.{x}.{y}.{}", z + 2));
			let subnet = format!("10.{x}.{y}.{z}/30");
			let taken = Command::new(&ip)
				.args(["-o", "addr", "show", "to", &subnet])
				.output()
				.map_or(true, |output| !output.stdout.is_empty());
			if !taken && run(&["addr", "add", &format!("{here}/30"), "dev", &outside]).is_ok() {
				chosen = Some((here, there));
				break;
			}
		}
		let (here, there) = chosen.ok_or_else(|| anyhow!("no free /30 for {name}"))?;
		run(&["link", "set", &outside, "up"])?;
		run(&[
			"netns",
			"exec",
			&name,
			"ip",
			"addr",
			"add",
			&format!("{there}/30"),
			"dev",
			&inside,
		])?;
		run(&["netns", "exec", &name, "ip", "link", "set", &inside, "up"])?;
		run(&["netns", "exec", &name, "ip", "link", "set", "lo", "up"])?;
		host.gateway_address = here;
		host.address = there;
		Ok(host)
	}

	/// The namespace's routes, as `ip route` prints them.
	pub fn routes(&self) -> Result<String> {
		let output = Command::new(which("ip").context("ip")?)
			.args(["netns", "exec", &self.name, "ip", "route"])
			.output()
			.context("ip route")?;
		Ok(String::from_utf8_lossy(&output.stdout).into_owned())
	}
}

impl Drop for TestHost {
	fn drop(&mut self) {
		if let Some(ip) = which("ip") {
			// Deleting the namespace deletes the pair with it.
			let _ = Command::new(ip).args(["netns", "delete", &self.name]).status();
		}
	}
}

/// A pool worker process, killed when dropped.
pub struct PoolWorker {
	child: Child,
	/// Its name in the pool.
	pub name: String,
	/// Its log.
	pub log: PathBuf,
	/// The namespace it runs in, if any.
	pub host: Option<TestHost>,
}

impl PoolWorker {
	/// Starts worker `name` of pool `pool` under `dir`, connecting to `nats_url`, in `host` if
	/// given (the URL must then be reachable from there). `limits` is the `[limits]` table's
	/// body (may be empty).
	pub fn start(
		dir: &Path,
		pool: &str,
		name: &str,
		nats_url: &str,
		host: Option<TestHost>,
		limits: &str,
	) -> Result<Self> {
		std::fs::create_dir_all(dir).context("worker dir")?;
		let config = dir.join(format!("{name}.toml"));
		std::fs::write(
			&config,
			format!(
				"[pool]\nnats_url = \"{nats_url}\"\nname = \"{pool}\"\nrole = \"worker\"\n\
				 worker_name = \"{name}\"\n\n[limits]\n{limits}\n"
			),
		)
		.context("worker config")?;
		let log = dir.join(format!("{name}.log"));
		let file = File::options().create(true).append(true).open(&log).context("worker log")?;
		let provider = bins::provider_bin();
		let mut command = match &host {
			Some(host) => {
				let mut command = Command::new(which("ip").context("ip")?);
				command.args(["netns", "exec", &host.name]).arg(provider);
				command
			},
			None => Command::new(provider),
		};
		let child = command
			.arg("--config")
			.arg(&config)
			.stdout(Stdio::null())
			.stderr(file)
			.spawn()
			.context("spawn a pool worker")?;
		Ok(PoolWorker { child, name: name.to_owned(), log, host })
	}

	/// Kills the worker like a crash (SIGKILL) and waits for it.
	pub fn kill(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}

	/// Whether it is still running.
	pub fn is_running(&mut self) -> bool {
		matches!(self.child.try_wait(), Ok(None))
	}

	/// The last 30 lines of its log.
	pub fn log_tail(&self) -> String {
		tail(&self.log, 30)
	}
}

impl Drop for PoolWorker {
	fn drop(&mut self) {
		self.kill();
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_client_port_is_read_from_the_log() {
		let log = "[1] 2026/12/07 08:00:00.000000 [INF] Starting nats-server\n\
			[1] 2026/12/07 08:00:00.000100 [INF] Listening for client connections on 0.0.0.0:41223\n";
		assert_eq!(client_port(log), Some(41223));
		assert_eq!(client_port("[INF] Starting nats-server\n"), None);
		let log = "[1] 2026/12/07 08:03:46.726002 [INF] Starting http monitor on 0.0.0.0:39065\n";
		assert_eq!(monitor_port(log), Some(39065));
	}
}
