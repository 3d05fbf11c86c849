//! The daemon's configuration file (TOML).
//!
//! ```toml
//! node_url = "ws://127.0.0.1:9944"   # the node whose finalized blocks the daemon follows
//! suri = "//Charlie"                 # the provider account (or env DEFAAS_PROVIDER_SURI)
//! listen = "127.0.0.1:8080"          # function host and deployment API
//! public_url = "http://127.0.0.1:8080" # the endpoint registered on chain
//! data_dir = "/var/lib/defaas-provider"
//! min_free_mb = 256                  # refuse to start with less free space in data_dir
//! fee_asset = "fst"                  # what transaction fees are paid in: fst or an asset id
//!
//! [[level]]
//! id = 0
//! price = "3"        # FST per billing period
//! capacity = 4       # concurrent leases of this level
//! [level.asset_prices]   # optional: prices in payment assets, by asset id, in the asset's units
//! 1 = "25"               # 25 TUSD per billing period (asset 1 of the development chain)
//!
//! [pricing]
//! script = "/etc/defaas/price.sh"   # optional; gets the order as JSON on stdin
//!
//! [limits]
//! cpu_ms = 1000          # CPU budget of one request
//! wall_ms = 10000        # wall-time limit of one request (a shutdown drains for this + 5 s)
//! max_response_mb = 16   # response bodies are cut off beyond this
//! baseline_compiler = true  # answer a new deployment from Winch's code while Cranelift compiles
//!
//! [http]
//! max_connections = 8192            # open connections at most; more are refused with 503
//! max_connections_per_source = 256  # open connections per client IP address at most
//! body_timeout_ms = 10000           # a request body's deadline, plus its size at …
//! min_body_rate_kib = 64            # … the slowest rate allowed (KiB/s); else 408
//! max_upload_mb_in_flight = 1024    # uploads in progress together; beyond, 503
//! deploy_lookups_per_minute = 120   # deployment requests per client IP address (each costs
//! deploy_lookup_burst = 20          #   an order lookup on the chain); beyond, 429
//!
//! [pool]                             # optional: a computing pool on NATS (crate::pool)
//! nats_url = "nats://10.0.0.1:4222"
//! name = "acme"                      # names the pool's buckets and subjects
//! role = "gateway"                   # or "worker"
//! replicas = 2                       # gateway: workers a deployment is confirmed on
//! replica_wait_secs = 60             # gateway: how long a deployment waits for them
//! worker_name = "rack1-a"            # worker: its name (default: host name and pid)
//! ```
//!
//! A pool worker's file has only `[pool]` and `[limits]`: no `node_url`, `suri`, `listen`,
//! `data_dir` or levels.

use anyhow::{bail, Context};
use defaas_client::views::PaymentAsset;
use serde::Deserialize;
use std::{collections::BTreeMap, net::SocketAddr, path::PathBuf, time::Duration};

/// FST has 12 decimals: 1 FST = 10^12 plancks.
pub const PLANCKS_PER_FST: u128 = defaas_client::amount::FST;

/// The whole configuration file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
	/// WebSocket URL of the node (not for a pool worker).
	#[serde(default)]
	pub node_url: Option<String>,
	/// Secret URI of the provider account (`//Charlie`, a mnemonic, ...); the environment
	/// variable `DEFAAS_PROVIDER_SURI` overrides it.
	#[serde(default)]
	pub suri: Option<String>,
	/// Address the HTTP server listens on (not for a pool worker: it listens nowhere).
	#[serde(default)]
	pub listen: Option<SocketAddr>,
	/// Public base URL of the server, as registered on chain (`register_provider` endpoint);
	/// `http://<the address it listens on>` if omitted (with `listen` port 0, the port the
	/// system picked — the daemon logs `listening on <address> (public URL <url>)`).
	#[serde(default)]
	pub public_url: Option<String>,
	/// Directory of the embedded store (not for a pool worker: it keeps nothing).
	#[serde(default)]
	pub data_dir: Option<PathBuf>,
	/// Free space (MiB) the data directory's file system must have at start: below it the
	/// daemon refuses to start rather than fail deployments it has bid for.
	#[serde(default = "default_min_free_mb")]
	pub min_free_mb: u64,
	/// The asset the daemon's transactions (bids, reveals, deployment confirmations) pay their
	/// fees in: `fst` (the default) or the id of a payment asset with an FST pool.
	#[serde(default = "default_fee_asset")]
	pub fee_asset: String,
	/// Levels this provider serves, with their prices and capacities.
	#[serde(rename = "level", default)]
	pub levels: Vec<LevelPolicy>,
	/// Optional pricing script.
	#[serde(default)]
	pub pricing: Pricing,
	/// Per-request limits of the function host.
	#[serde(default)]
	pub limits: Limits,
	/// Limits of the HTTP server against clients that hold connections or bodies open.
	#[serde(default)]
	pub http: HttpLimits,
	/// The computing pool this daemon is the gateway or a worker of; without it, the daemon
	/// runs every function itself (single-host mode).
	#[serde(default)]
	pub pool: Option<PoolConfig>,
}

/// The default of [`Config::fee_asset`]: FST.
fn default_fee_asset() -> String {
	"fst".into()
}

/// The default of [`Config::min_free_mb`]: room for a few deployments (packages, compiled
/// artifacts and the database's copy-on-write pages).
fn default_min_free_mb() -> u64 {
	256
}

/// Limits of the HTTP server against clients that hold connections open or send bodies
/// slowly: one client address cannot take the connections every other client needs, and a
/// body that does not arrive in time frees its connection.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct HttpLimits {
	/// Open connections at most; a connection beyond it is answered `503` and closed.
	pub max_connections: usize,
	/// Open connections from one client IP address at most; beyond it, `503` and closed.
	pub max_connections_per_source: usize,
	/// Milliseconds a request body may take to arrive, on top of what its largest allowed size
	/// takes at [`HttpLimits::min_body_rate_kib`]; a body still incomplete is answered `408`.
	pub body_timeout_ms: u64,
	/// The slowest upload rate the body deadline allows for, in KiB per second.
	pub min_body_rate_kib: u64,
	/// MiB the deployment uploads in progress may send at most, together (each counts its
	/// `Content-Length`, or its level's package limit without one); an upload beyond it is
	/// answered `503` (one upload alone is always admitted).
	pub max_upload_mb_in_flight: u64,
	/// Deployment requests one client IP address may make in a minute, on average: each costs
	/// the daemon an order lookup on the chain before the signature can be checked. Beyond
	/// [`HttpLimits::deploy_lookup_burst`] at once, `429` with `Retry-After`.
	pub deploy_lookups_per_minute: u32,
	/// Deployment requests one address may make at once before the rate applies.
	pub deploy_lookup_burst: u32,
}

impl Default for HttpLimits {
	fn default() -> Self {
		Self {
			max_connections: 8192,
			max_connections_per_source: 256,
			body_timeout_ms: 10_000,
			min_body_rate_kib: 64,
			max_upload_mb_in_flight: 1024,
			deploy_lookups_per_minute: 120,
			deploy_lookup_burst: 20,
		}
	}
}

impl HttpLimits {
	/// [`HttpLimits::max_upload_mb_in_flight`] in bytes.
	pub fn upload_budget(&self) -> u64 {
		self.max_upload_mb_in_flight.saturating_mul(1024 * 1024)
	}

	/// How long a request body of at most `max_bytes` may take to arrive.
	pub fn body_deadline(&self, max_bytes: usize) -> Duration {
		let rate = self.min_body_rate_kib.max(1).saturating_mul(1024);
		let bytes = u64::try_from(max_bytes).unwrap_or(u64::MAX);
		Duration::from_millis(self.body_timeout_ms)
			.saturating_add(Duration::from_secs(bytes.div_ceil(rate)))
	}
}

/// What the provider asks for one level.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelPolicy {
	/// Level id.
	pub id: u32,
	/// Price per billing period in FST (a decimal string, e.g. `"2.5"`).
	pub price: String,
	/// Prices per billing period in payment assets other than FST, by asset id: decimal
	/// strings in the asset's units (its decimals come from the chain's asset metadata).
	/// Orders paying in an asset not listed here are not bid on.
	#[serde(default)]
	pub asset_prices: BTreeMap<String, String>,
	/// Leases of this level the provider can run at once.
	pub capacity: u32,
}

impl LevelPolicy {
	/// The configured price (decimal text in the asset's units) for orders paying in `asset`;
	/// `None` if the provider does not take that asset for this level.
	pub fn price_in(&self, asset: &PaymentAsset) -> Option<&str> {
		match asset {
			PaymentAsset::Native => Some(&self.price),
			PaymentAsset::WithId(id) => self.asset_prices.get(&id.to_string()).map(String::as_str),
		}
	}
}

/// The optional external pricing script (Akash's bid pricing script).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pricing {
	/// Executable run once per candidate order, with the order on stdin: the
	/// `defaas_openOrders` JSON of the order — balances such as `"maxUnitPrice"` are decimal
	/// strings of plancks — plus `"basePrice"`, the level's configured price in plancks, also a
	/// decimal string (`"3000000000000"`). It prints a price in FST (decimal) to bid, or `skip`;
	/// a failure or an unparsable answer skips the order.
	pub script: Option<PathBuf>,
	/// Seconds the script may run.
	#[serde(default = "default_script_timeout")]
	pub timeout_secs: u64,
}

fn default_script_timeout() -> u64 {
	5
}

/// Per-request limits.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
	/// CPU budget of one request in milliseconds (epoch interruption).
	pub cpu_ms: u64,
	/// Wall-time limit of one request in milliseconds.
	pub wall_ms: u64,
	/// Response bodies are cut off beyond this many MiB.
	pub max_response_mb: u64,
	/// Serve a new deployment from the baseline compiler's code until the optimizing
	/// compiler's is ready ([`crate::host::Tier`]).
	pub baseline_compiler: bool,
}

impl Default for Limits {
	fn default() -> Self {
		Self { cpu_ms: 1_000, wall_ms: 10_000, max_response_mb: 16, baseline_compiler: true }
	}
}

/// What the drain timeout adds to the wall-time limit (see [`Limits::drain_timeout`]).
pub const DRAIN_MARGIN: Duration = Duration::from_secs(5);

impl Limits {
	/// How long a shutting-down daemon lets busy connections finish: the wall-time limit of a
	/// function request (the longest a request of a well-behaved client takes once it has
	/// arrived) plus [`DRAIN_MARGIN`] for the response to reach the client. Connections still
	/// busy after that — slow uploads, clients that stop reading — are cut.
	pub fn drain_timeout(&self) -> Duration {
		Duration::from_millis(self.wall_ms).saturating_add(DRAIN_MARGIN)
	}
}

impl Config {
	/// Reads and checks the file at `path`.
	pub fn load(path: &std::path::Path) -> anyhow::Result<Self> {
		let text = std::fs::read_to_string(path)
			.with_context(|| format!("reading the config file {}", path.display()))?;
		let config: Config =
			toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
		config.check()?;
		Ok(config)
	}

	/// Rejects configurations the daemon cannot run with.
	pub fn check(&self) -> anyhow::Result<()> {
		if let Some(pool) = &self.pool {
			pool.check()?;
		}
		if self.is_worker() {
			// A worker runs functions only: its limits count, and nothing chain-side may be
			// configured by mistake as if it were used.
			if self.node_url.is_some() || self.suri.is_some() || self.listen.is_some() {
				bail!("a pool worker has no node_url, suri or listen: it only dials out to NATS");
			}
			return Ok(());
		}
		if self.node_url.is_none() || self.listen.is_none() || self.data_dir.is_none() {
			bail!("node_url, listen and data_dir are required (all but a pool worker)");
		}
		if self.levels.is_empty() {
			bail!("the config serves no level: add at least one [[level]] table");
		}
		for level in &self.levels {
			parse_fst(&level.price)
				.with_context(|| format!("level {}: price {:?}", level.id, level.price))?;
			for (asset, price) in &level.asset_prices {
				asset.parse::<u32>().with_context(|| {
					format!("level {}: asset_prices key {asset:?} is not an asset id", level.id)
				})?;
				// The asset's decimals are known once connected; the syntax is checked here
				// (a decimal number with at most 18 fraction digits).
				defaas_client::amount::parse_amount(price, 18).with_context(|| {
					format!("level {}: price {price:?} in asset {asset}", level.id)
				})?;
			}
			if self.levels.iter().filter(|other| other.id == level.id).count() > 1 {
				bail!("level {} is configured twice", level.id);
			}
		}
		defaas_client::market::parse_asset(&self.fee_asset)
			.with_context(|| format!("fee_asset {:?}", self.fee_asset))?;
		if let Some(url) = &self.public_url {
			if !url.starts_with("http://") && !url.starts_with("https://") {
				bail!("public_url must be an http:// or https:// URL, got {url:?}");
			}
		}
		let http = &self.http;
		if http.max_connections == 0 || http.max_connections_per_source == 0 {
			bail!("[http] max_connections and max_connections_per_source must be at least 1");
		}
		if http.max_connections_per_source > http.max_connections {
			bail!("[http] max_connections_per_source exceeds max_connections");
		}
		Ok(())
	}

	/// Whether this daemon is a pool worker (`[pool] role = "worker"`).
	pub fn is_worker(&self) -> bool {
		self.pool.as_ref().is_some_and(|pool| pool.role == PoolRole::Worker)
	}

	/// The pool this daemon is the gateway of, if any.
	pub fn gateway_of(&self) -> Option<&PoolConfig> {
		self.pool.as_ref().filter(|pool| pool.role == PoolRole::Gateway)
	}

	/// The policy of `level`, if served.
	pub fn level(&self, level: u32) -> Option<&LevelPolicy> {
		self.levels.iter().find(|policy| policy.id == level)
	}

	/// `(level, capacity)` of every served level.
	pub fn capacity(&self) -> Vec<(u32, u32)> {
		self.levels.iter().map(|level| (level.id, level.capacity)).collect()
	}
}

/// The `[pool]` table of the configuration file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolConfig {
	/// The NATS server (`nats://host:4222`).
	pub nats_url: String,
	/// The pool's name: its buckets and subjects are named after it. Letters, digits, `-` and
	/// `_`.
	pub name: String,
	/// What this process is in the pool.
	pub role: PoolRole,
	/// Gateway: the workers that must serve a deployment before it is confirmed.
	#[serde(default = "default_replicas")]
	pub replicas: u32,
	/// Worker: its name in the pool (default: the host name and the process id).
	#[serde(default)]
	pub worker_name: Option<String>,
	/// Gateway: how long a deployment waits for `replicas` workers, in seconds.
	#[serde(default = "default_replica_wait")]
	pub replica_wait_secs: u64,
}

fn default_replicas() -> u32 {
	2
}

fn default_replica_wait() -> u64 {
	60
}

/// A process's part in a pool.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PoolRole {
	/// The provider on chain, in front of the workers.
	Gateway,
	/// A function host behind the gateway.
	Worker,
}

impl PoolConfig {
	/// Rejects a pool configuration the daemon cannot run with.
	pub fn check(&self) -> anyhow::Result<()> {
		if self.name.is_empty()
			|| !self.name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
		{
			bail!("[pool] name must be letters, digits, '-' and '_', got {:?}", self.name);
		}
		if self.replicas == 0 {
			bail!("[pool] replicas must be at least 1");
		}
		if let Some(name) = &self.worker_name {
			if !valid_worker_name(name) {
				bail!("[pool] worker_name must be letters, digits, '-' and '_', got {name:?}");
			}
		}
		if !self.nats_url.contains("://") && !self.nats_url.contains(':') {
			bail!("[pool] nats_url must be a NATS URL such as nats://10.0.0.1:4222");
		}
		Ok(())
	}

	/// This worker's name: the configured one, else `<host name>-<process id>`.
	pub fn worker_name(&self) -> String {
		self.worker_name.clone().unwrap_or_else(|| {
			let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
				.map(|h| h.trim().to_owned())
				.unwrap_or_default();
			let host: String = host
				.chars()
				.map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
				.collect();
			let host = if host.is_empty() { "worker".to_owned() } else { host };
			format!("{host}-{}", std::process::id())
		})
	}
}

/// A worker's name is a key of the worker bucket.
fn valid_worker_name(name: &str) -> bool {
	!name.is_empty()
		&& name.len() <= 64
		&& name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Parses a decimal FST amount (`"3"`, `"0.25"`) into plancks (the one parser of
/// `defaas-client`).
pub fn parse_fst(text: &str) -> anyhow::Result<u128> {
	defaas_client::amount::parse_fst(text)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn config(text: &str) -> PoolConfig {
		toml::from_str(text).unwrap()
	}

	#[test]
	fn pool_tables_parse_and_are_checked() {
		let gateway =
			config("nats_url = \"nats://10.0.0.1:4222\"\nname = \"acme\"\nrole = \"gateway\"");
		gateway.check().unwrap();
		assert_eq!(gateway.role, PoolRole::Gateway);
		assert_eq!(gateway.replicas, 2);
		let worker = config(
			"nats_url = \"nats://10.0.0.1:4222\"\nname = \"acme\"\nrole = \"worker\"\nworker_name = \"w-1\"",
		);
		worker.check().unwrap();
		assert_eq!(worker.worker_name(), "w-1");
		let unnamed = config("nats_url = \"nats://n:4222\"\nname = \"a\"\nrole = \"worker\"");
		assert!(valid_worker_name(&unnamed.worker_name()), "{}", unnamed.worker_name());
		for bad in [
			"nats_url = \"nats://n:4222\"\nname = \"a.b\"\nrole = \"worker\"",
			"nats_url = \"nats://n:4222\"\nname = \"a\"\nrole = \"worker\"\nreplicas = 0",
			"nats_url = \"nats://n:4222\"\nname = \"a\"\nrole = \"worker\"\nworker_name = \"a b\"",
			"nats_url = \"n\"\nname = \"a\"\nrole = \"gateway\"",
		] {
			assert!(config(bad).check().is_err(), "{bad}");
		}
		assert!(toml::from_str::<PoolConfig>("nats_url = \"n:1\"\nname = \"a\"\nrole = \"boss\"")
			.is_err());
	}

	#[test]
	fn a_worker_file_has_only_the_pool_and_limits_and_a_gateway_file_everything() {
		let worker =
			"[pool]\nnats_url = \"nats://10.0.0.1:4222\"\nname = \"acme\"\nrole = \"worker\"\n\
			[limits]\ncpu_ms = 500\n";
		let config: Config = toml::from_str(worker).unwrap();
		config.check().unwrap();
		assert!(config.is_worker() && config.gateway_of().is_none());
		assert_eq!(config.limits.cpu_ms, 500);
		let chain_side = format!("node_url = \"ws://127.0.0.1:9944\"\n{worker}");
		assert!(
			toml::from_str::<Config>(&chain_side).unwrap().check().is_err(),
			"a worker has no node"
		);

		let gateway =
			"node_url = \"ws://127.0.0.1:9944\"\nlisten = \"127.0.0.1:0\"\ndata_dir = \"/tmp/g\"\n\
			[[level]]\nid = 0\nprice = \"3\"\ncapacity = 4\n\
			[pool]\nnats_url = \"nats://10.0.0.1:4222\"\nname = \"acme\"\nrole = \"gateway\"\n";
		let config: Config = toml::from_str(gateway).unwrap();
		config.check().unwrap();
		assert_eq!(config.gateway_of().map(|pool| pool.replicas), Some(2));
		let no_listen = gateway.replace("listen = \"127.0.0.1:0\"\n", "");
		assert!(toml::from_str::<Config>(&no_listen).unwrap().check().is_err());
		let single =
			"node_url = \"ws://n:9944\"\nlisten = \"127.0.0.1:0\"\ndata_dir = \"/tmp/s\"\n\
			[[level]]\nid = 0\nprice = \"3\"\ncapacity = 4\n";
		let config: Config = toml::from_str(single).unwrap();
		config.check().unwrap();
		assert!(!config.is_worker() && config.gateway_of().is_none());
	}

	#[test]
	fn fst_amounts_parse_to_plancks() {
		assert_eq!(parse_fst("3").unwrap(), 3 * PLANCKS_PER_FST);
		assert_eq!(parse_fst("0.25").unwrap(), PLANCKS_PER_FST / 4);
		assert_eq!(parse_fst(".5").unwrap(), PLANCKS_PER_FST / 2);
		assert_eq!(parse_fst("1.000000000001").unwrap(), PLANCKS_PER_FST + 1);
		for bad in ["", ".", "-1", "1.2.3", "1e3", "0.0000000000001", "abc"] {
			assert!(parse_fst(bad).is_err(), "{bad:?}");
		}
	}

	#[test]
	fn a_config_file_parses_and_is_checked() {
		let text = r#"
			node_url = "ws://127.0.0.1:9944"
			listen = "127.0.0.1:8080"
			public_url = "http://127.0.0.1:8080"
			data_dir = "/tmp/p"
			[[level]]
			id = 0
			price = "2.5"
			capacity = 3
			[level.asset_prices]
			1 = "25.5"
			[limits]
			cpu_ms = 200
		"#;
		let config: Config = toml::from_str(text).unwrap();
		config.check().unwrap();
		let level = config.level(0).unwrap();
		assert_eq!(level.price_in(&PaymentAsset::Native), Some("2.5"));
		assert_eq!(level.price_in(&PaymentAsset::WithId(1)), Some("25.5"));
		assert_eq!(level.price_in(&PaymentAsset::WithId(2)), None);
		let bad_key = text.replace("1 = \"25.5\"", "usd = \"25.5\"");
		assert!(toml::from_str::<Config>(&bad_key).unwrap().check().is_err());
		let bad_price = text.replace("1 = \"25.5\"", "1 = \"cheap\"");
		assert!(toml::from_str::<Config>(&bad_price).unwrap().check().is_err());
		assert_eq!(config.capacity(), vec![(0, 3)]);
		assert_eq!(config.limits.cpu_ms, 200);
		assert_eq!(config.limits.wall_ms, 10_000);
		assert_eq!(config.limits.drain_timeout(), Duration::from_secs(15));
		assert!(config.level(1).is_none());

		let twice = format!("{text}\n[[level]]\nid = 0\nprice = \"1\"\ncapacity = 1\n");
		let twice = twice.replace("[limits]\n\t\t\tcpu_ms = 200", "");
		let config: Config = toml::from_str(&twice).unwrap();
		assert!(config.check().is_err());
	}
}
