//! `defaas-provider`: the provider daemon (docs/architecture.md §8).
//!
//! ```text
//! defaas-provider --config provider.toml [--suri //Charlie] [--insert-heartbeat-key]
//! ```
//!
//! Opens the embedded store, serves every stored deployment again, starts the HTTP server
//! (functions, health and challenge endpoints, `/healthz`, `/metrics`, the deployment API) and
//! follows the chain's finalized blocks with the bid engine.
//!
//! SIGTERM or Ctrl-C shuts it down gracefully ([`defaas_provider::daemon`]): the listener is
//! closed, requests in flight finish (within the drain timeout: the `[limits] wall_ms` + 5 s),
//! the bid engine stops, the store is closed, and the process exits with status 0. A second
//! signal exits at once (status 130).

use anyhow::Context;
use clap::Parser;
use defaas_provider::{
	app::{AppState, LookupLimiter, UploadGate},
	bidder::Bidder,
	chain::{Chain, RpcOrders},
	config::Config,
	daemon::Daemon,
	host::{FunctionHost, HostLimits},
	logger::StderrLogger,
	metrics::Metrics,
	pool::{gateway::Gateway, worker},
	restore::restore,
	shutdown::Shutdown,
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
	let shutdown = Shutdown::new();
	tokio::spawn(on_signals(shutdown.clone()));
	let config = Arc::new(Config::load(&args.config)?);
	if config.is_worker() {
		return run_worker(&config, shutdown).await;
	}
	let (Some(data_dir), Some(node_url), Some(listen)) =
		(config.data_dir.clone(), config.node_url.clone(), config.listen)
	else {
		anyhow::bail!("node_url, listen and data_dir are required");
	};
	let suri = args
		.suri
		.clone()
		.or_else(|| std::env::var("DEFAAS_PROVIDER_SURI").ok())
		.or_else(|| config.suri.clone())
		.context(
			"no provider key: pass --suri, set DEFAAS_PROVIDER_SURI or `suri` in the config",
		)?;

	std::fs::create_dir_all(&data_dir)
		.with_context(|| format!("creating {}", data_dir.display()))?;
	// A full disk is said at start, not discovered by the first deployment after a won bid.
	let free = defaas_provider::store::free_bytes(&data_dir)
		.with_context(|| format!("reading the free space of {}", data_dir.display()))?;
	if free < config.min_free_mb.saturating_mul(1 << 20) {
		anyhow::bail!(
			"the data directory {} has {} MiB free, less than min_free_mb = {}: free some \
			 space (the store is left as it is)",
			data_dir.display(),
			free >> 20,
			config.min_free_mb
		);
	}
	let db_path = data_dir.join(defaas_provider::store::DB_FILE);
	let store = Arc::new(Store::open(&data_dir).with_context(|| {
		format!("opening the store {} (the file is left as it is)", db_path.display())
	})?);
	let metrics = Arc::new(Metrics::new()?);
	let host = Arc::new(FunctionHost::new(host_limits(&config), metrics.clone())?);
	let pool = match config.gateway_of() {
		None => {
			let restored = restore(&host, &store).with_context(|| {
				format!(
					"restoring the deployments of {} (the file is left as it is)",
					db_path.display()
				)
			})?;
			log::info!("store: {restored}");
			None
		},
		Some(pool_config) => {
			let name = format!("{}-gateway", pool_config.name);
			let wall_time = Duration::from_millis(config.limits.wall_ms);
			let Some(gateway) = Gateway::connect(pool_config, &name, wall_time, &shutdown).await?
			else {
				log::info!("shut down before NATS answered; the store is closed, bye");
				return Ok(());
			};
			let (published, failed) = gateway.republish(&store).await?;
			log::info!(
				"pool {}: gateway connected to {}; {published} stored deployment(s) published, \
				 {} failed {failed:?}",
				pool_config.name,
				pool_config.nats_url,
				failed.len()
			);
			Some(gateway)
		},
	};

	let chain = tokio::select! {
		chain = connect(&node_url, &suri) => chain,
		() = shutdown.triggered() => {
			log::info!("shut down before the node answered; the store is closed, bye");
			return Ok(());
		},
	};
	let chain = chain.paying_fees_in(defaas_client::market::parse_asset(&config.fee_asset)?);
	log::info!("provider account {}", chain.account_ss58());
	if args.insert_heartbeat_key {
		chain.insert_heartbeat_key().await?;
		log::info!("heartbeat key inserted into the node's keystore");
	}

	let listener = tokio::net::TcpListener::bind(listen)
		.await
		.with_context(|| format!("listening on {listen}"))?;
	// The bound address (with `listen` port 0, the port the system picked).
	let bound = listener.local_addr().context("the listener's address")?;
	let public_url = config.public_url.clone().unwrap_or_else(|| format!("http://{bound}"));
	log::info!("listening on {bound} (public URL {public_url})");
	let (deployed_tx, deployed_rx) = tokio::sync::mpsc::unbounded_channel();
	let state = Arc::new(AppState {
		orders: Arc::new(RpcOrders::new(chain.clone())),
		provider: chain.account(),
		public_url,
		capacity: config.capacity(),
		host: host.clone(),
		pool: pool.clone(),
		store: store.clone(),
		metrics,
		http: config.http.clone(),
		uploads: UploadGate::for_limits(&config.http),
		lookups: LookupLimiter::for_limits(&config.http),
		deployed: deployed_tx,
	});
	let drain_timeout = config.limits.drain_timeout();
	// The bid engine and the state hold the only references to the store from here on: the
	// daemon closes it when both are gone.
	let bidder = Bidder::new(chain, config, store, host);
	let bidder = match pool {
		Some(pool) => bidder.with_pool(pool),
		None => bidder,
	};
	let daemon =
		Daemon::start(listener, state, Some((bidder, deployed_rx)), shutdown, drain_timeout)
			.context("starting the HTTP server")?;
	let report = daemon.run().await;
	log::info!(
		"shutdown complete (bid engine {}, store {}); bye",
		if report.bidder_stopped { "stopped" } else { "aborted" },
		if report.store_closed { "closed" } else { "still in use" },
	);
	Ok(())
}

/// The function host's limits from the configuration.
fn host_limits(config: &Config) -> HostLimits {
	HostLimits {
		cpu_budget: Duration::from_millis(config.limits.cpu_ms),
		wall_time: Duration::from_millis(config.limits.wall_ms),
		max_response_bytes: config.limits.max_response_mb.saturating_mul(1 << 20),
		baseline_compiler: config.limits.baseline_compiler,
		..HostLimits::default()
	}
}

/// A pool worker: the function host behind NATS until `shutdown`.
async fn run_worker(config: &Config, shutdown: Shutdown) -> anyhow::Result<()> {
	let pool = config.pool.as_ref().context("a worker needs [pool]")?;
	let host = Arc::new(FunctionHost::new(host_limits(config), Arc::new(Metrics::new()?))?);
	log::info!("pool {}: worker {} starting", pool.name, pool.worker_name());
	worker::run(pool, host, shutdown, config.limits.drain_timeout()).await?;
	log::info!("bye");
	Ok(())
}

/// Triggers `shutdown` on the first SIGTERM or Ctrl-C; exits at once on the second.
async fn on_signals(shutdown: Shutdown) {
	#[cfg(unix)]
	let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
	{
		Ok(terminate) => Some(terminate),
		Err(e) => {
			log::warn!("cannot listen for SIGTERM ({e}); Ctrl-C still shuts down");
			None
		},
	};
	for received in 0u32.. {
		#[cfg(unix)]
		let name = tokio::select! {
			_ = tokio::signal::ctrl_c() => "Ctrl-C",
			Some(()) = async { terminate.as_mut()?.recv().await } => "SIGTERM",
		};
		#[cfg(not(unix))]
		let name = {
			let _ = tokio::signal::ctrl_c().await;
			"Ctrl-C"
		};
		if received == 0 {
			log::info!("{name}: shutting down gracefully (a second signal exits at once)");
			shutdown.trigger();
		} else {
			log::warn!("{name} again: exiting without waiting for the shutdown");
			std::process::exit(130);
		}
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
