//! `defaas-provider`: the provider daemon (DESIGN §8).
//!
//! ```text
//! defaas-provider --config provider.toml [--suri //Charlie] [--insert-heartbeat-key]
//! ```
//!
//! Opens the embedded store, serves every stored deployment again, starts the HTTP server
//! (functions, health and challenge endpoints, `/healthz`, `/metrics`, the deployment API) and
//! follows the chain's finalized blocks with the bid engine.

use anyhow::Context;
use clap::Parser;
use defaas_provider::{
	bidder::Bidder,
	chain::{Chain, RpcOrders},
	config::Config,
	host::{FunctionHost, HostLimits},
	metrics::Metrics,
	server::{self, AppState},
	store::Store,
};
use std::{path::PathBuf, sync::Arc, time::Duration};

/// The DeFaaS provider daemon.
#[derive(Debug, Parser)]
#[command(name = "defaas-provider", version, about)]
struct Args {
	/// The configuration file (TOML).
	#[arg(long, short)]
	config: PathBuf,
	/// Secret URI of the provider account; overrides the file and DEFAAS_PROVIDER_SURI.
	#[arg(long)]
	suri: Option<String>,
	/// Put the provider key into the node's keystore as its `prov` heartbeat key at start, so
	/// the node's off-chain worker sends the heartbeats (the node must allow unsafe RPC).
	#[arg(long)]
	insert_heartbeat_key: bool,
	/// Log level: error, warn, info, debug or trace.
	#[arg(long, default_value = "info")]
	log_level: log::LevelFilter,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
	let args = Args::parse();
	StderrLogger::install(args.log_level);
	let config = Arc::new(Config::load(&args.config)?);
	let suri = args
		.suri
		.clone()
		.or_else(|| std::env::var("DEFAAS_PROVIDER_SURI").ok())
		.or_else(|| config.suri.clone())
		.context(
			"no provider key: pass --suri, set DEFAAS_PROVIDER_SURI or `suri` in the config",
		)?;

	std::fs::create_dir_all(&config.data_dir)
		.with_context(|| format!("creating {}", config.data_dir.display()))?;
	let store = Arc::new(Store::open(&config.data_dir)?);
	let metrics = Arc::new(Metrics::new()?);
	let limits = HostLimits {
		cpu_budget: Duration::from_millis(config.limits.cpu_ms),
		wall_time: Duration::from_millis(config.limits.wall_ms),
		max_response_bytes: config.limits.max_response_mb.saturating_mul(1 << 20),
		..HostLimits::default()
	};
	let host = Arc::new(FunctionHost::new(limits, metrics.clone())?);
	let restored = host.restore(&store)?;
	log::info!("store: {restored}");

	let chain = connect(&config.node_url, &suri).await;
	log::info!("provider account {}", chain.account_ss58());
	if args.insert_heartbeat_key {
		chain.insert_heartbeat_key().await?;
		log::info!("heartbeat key inserted into the node's keystore");
	}

	let listener = tokio::net::TcpListener::bind(config.listen)
		.await
		.with_context(|| format!("listening on {}", config.listen))?;
	log::info!("listening on {} (public URL {})", config.listen, config.public_url);
	let (deployed_tx, deployed_rx) = tokio::sync::mpsc::unbounded_channel();
	let state = Arc::new(AppState {
		orders: Arc::new(RpcOrders::new(chain.clone())),
		provider: chain.account(),
		public_url: config.public_url.clone(),
		capacity: config.capacity(),
		host: host.clone(),
		store: store.clone(),
		metrics,
		deployed: deployed_tx,
	});
	let bidder = Bidder::new(chain, config, store, host);
	tokio::select! {
		result = server::serve(listener, state) => result.context("the HTTP server stopped"),
		() = bidder.run(deployed_rx) => Ok(()),
		_ = tokio::signal::ctrl_c() => {
			log::info!("interrupted; the store is durable, bye");
			Ok(())
		},
	}
}

/// Connects to the node, retrying every two seconds until it answers.
async fn connect(url: &str, suri: &str) -> Chain {
	loop {
		match Chain::connect(url, suri).await {
			Ok(chain) => return chain,
			Err(e) => {
				log::warn!("{e:#}; retrying");
				tokio::time::sleep(Duration::from_secs(2)).await;
			},
		}
	}
}

/// Log lines to stderr: `<unix seconds.millis> <LEVEL> <target>: <message>`.
struct StderrLogger(log::LevelFilter);

impl StderrLogger {
	fn install(level: log::LevelFilter) {
		let logger: &'static StderrLogger = Box::leak(Box::new(StderrLogger(level)));
		if log::set_logger(logger).is_ok() {
			log::set_max_level(level);
		}
	}
}

impl log::Log for StderrLogger {
	fn enabled(&self, metadata: &log::Metadata) -> bool {
		metadata.level() <= self.0
			&& (metadata.target().starts_with("defaas") || metadata.level() <= log::Level::Warn)
	}

	fn log(&self, record: &log::Record) {
		if self.enabled(record.metadata()) {
			let now = std::time::SystemTime::now()
				.duration_since(std::time::UNIX_EPOCH)
				.unwrap_or_default();
			eprintln!(
				"{}.{:03} {} {}: {}",
				now.as_secs(),
				now.subsec_millis(),
				record.level(),
				record.target(),
				record.args()
			);
		}
	}

	fn flush(&self) {}
}
