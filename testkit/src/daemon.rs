//! A real `defaas-provider` daemon: config written by the kit, HTTP port bound by the daemon
//! (`listen = "127.0.0.1:0"`) and read back from its log line `listening on <addr>`; a restart
//! binds the same port again (its endpoint is registered on chain).

use crate::{
	bins,
	node::tail,
	wait::{until, STARTUP_TIMEOUT},
};
use anyhow::{anyhow, Context, Result};
use std::{
	fs::File,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::Instant,
};

/// What a daemon offers: one level at one price (FST per period) for up to `capacity` leases.
#[derive(Clone, Debug)]
pub struct Offer {
	/// The FaaS level.
	pub level: u32,
	/// Price per billing period in FST (decimal text).
	pub price: String,
	/// Concurrent leases of the level.
	pub capacity: u32,
}

/// A running `defaas-provider`, killed when dropped.
pub struct Daemon {
	child: Child,
	dir: PathBuf,
	node_url: String,
	suri: String,
	offer: Offer,
	/// TOML appended to the generated config (e.g. an `[http]` table).
	extra: String,
	/// Its log (stderr).
	pub log: PathBuf,
	/// Its public URL, `http://127.0.0.1:<port>`.
	pub url: String,
	port: u16,
}

impl Daemon {
	/// Writes a config under `dir` (node `node_url`, account `suri`, `offer`) and starts the
	/// daemon with `--insert-heartbeat-key`; returns once it listens.
	pub async fn start(dir: &Path, node_url: &str, suri: &str, offer: Offer) -> Result<Daemon> {
		Self::start_with(dir, node_url, suri, offer, "").await
	}

	/// [`Daemon::start`] with `extra` TOML appended to the config (e.g. `[http]` limits).
	pub async fn start_with(
		dir: &Path,
		node_url: &str,
		suri: &str,
		offer: Offer,
		extra: &str,
	) -> Result<Daemon> {
		std::fs::create_dir_all(dir).context("daemon dir")?;
		let log = dir.join("provider.log");
		let mut daemon = Daemon {
			child: spawn(&write_config(dir, node_url, suri, &offer, 0, extra)?, &log)?,
			dir: dir.to_path_buf(),
			node_url: node_url.to_string(),
			suri: suri.to_string(),
			offer,
			extra: extra.to_string(),
			log,
			url: String::new(),
			port: 0,
		};
		daemon.wait_listening(0).await?;
		Ok(daemon)
	}

	async fn wait_listening(&mut self, from: u64) -> Result<()> {
		let deadline = Instant::now() + STARTUP_TIMEOUT;
		let port = until("the provider daemon to listen", deadline, || {
			if let Ok(Some(status)) = self.child.try_wait() {
				return Err(anyhow!("defaas-provider exited early ({status})"));
			}
			Ok(listening_port(&self.log, from))
		})
		.await
		.map_err(|e| anyhow!("{e}\n{}", self.log_tail()))?;
		self.port = port;
		self.url = format!("http://127.0.0.1:{port}");
		Ok(())
	}

	/// Kills the daemon like a crash (SIGKILL) and waits for it.
	pub fn kill(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}

	/// Kills the daemon and starts it again with the same store and port.
	pub async fn restart(&mut self) -> Result<()> {
		self.kill();
		let from = std::fs::metadata(&self.log).map(|m| m.len()).unwrap_or(0);
		let config = write_config(
			&self.dir,
			&self.node_url,
			&self.suri,
			&self.offer,
			self.port,
			&self.extra,
		)?;
		self.child = spawn(&config, &self.log)?;
		self.wait_listening(from).await
	}

	/// Everything the daemon logged so far.
	pub fn log_text(&self) -> String {
		std::fs::read_to_string(&self.log).unwrap_or_default()
	}

	/// The last 30 lines of its log.
	pub fn log_tail(&self) -> String {
		tail(&self.log, 30)
	}
}

impl Drop for Daemon {
	fn drop(&mut self) {
		self.kill();
	}
}

fn write_config(
	dir: &Path,
	node_url: &str,
	suri: &str,
	offer: &Offer,
	port: u16,
	extra: &str,
) -> Result<PathBuf> {
	let config = dir.join("provider.toml");
	std::fs::write(
		&config,
		format!(
			"node_url = \"{node_url}\"\nsuri = \"{suri}\"\nlisten = \"127.0.0.1:{port}\"\n\
			 data_dir = \"{}\"\n\n[[level]]\nid = {}\nprice = \"{}\"\ncapacity = {}\n\n{extra}",
			dir.join("data").display(),
			offer.level,
			offer.price,
			offer.capacity
		),
	)
	.context("daemon config")?;
	Ok(config)
}

fn spawn(config: &Path, log: &Path) -> Result<Child> {
	let log = File::options().create(true).append(true).open(log).context("daemon log")?;
	Command::new(bins::provider_bin())
		.arg("--config")
		.arg(config)
		.arg("--insert-heartbeat-key")
		.stdout(Stdio::null())
		.stderr(log)
		.spawn()
		.context("spawn defaas-provider")
}

/// The port of the first `listening on 127.0.0.1:<port>` line after byte `from` of the log.
fn listening_port(log: &Path, from: u64) -> Option<u16> {
	let text = std::fs::read(log).ok()?;
	let start = usize::try_from(from).ok()?.min(text.len());
	let text = String::from_utf8_lossy(text.get(start..)?);
	let line = text.lines().find(|line| line.contains("listening on "))?;
	let address = line.split("listening on ").nth(1)?.split_whitespace().next()?;
	address.rsplit(':').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_port_is_read_from_the_listening_line() {
		let dir =
			std::env::temp_dir().join(format!("defaas-testkit-daemon-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let log = dir.join("provider.log");
		std::fs::write(&log, "2026-12-05T21:00:00.000Z INFO listening on 127.0.0.1:38211 (public URL http://127.0.0.1:38211)\n").unwrap();
		assert_eq!(listening_port(&log, 0), Some(38211));
		assert_eq!(listening_port(&log, 10_000), None);
		std::fs::remove_dir_all(dir).unwrap();
	}
}
