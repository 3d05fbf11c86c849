//! `defaas-load`: drives a DeFaaS network started from the `bench` genesis preset with
//! pre-signed transactions submitted in bulk over several connections, and measures what the
//! chain did with them from its finalized blocks: throughput by block timestamps (the sTPS
//! method), inclusion latency, refused and dropped transactions, the normal class's use of
//! every block. Prints a progress line per phase and a table at the end; `--json` writes the
//! whole report.
//!
//! ```text
//! defaas-node --chain bench ...            # four validators, see docs/performance.md
//! defaas-load --url ws://127.0.0.1:9944 --url ws://127.0.0.1:9945 \
//!     --transfers 4000 --orders 200 --providers 20 --json load.json
//! ```

mod observe;
mod report;
mod scenarios;
mod submit;

use anyhow::{ensure, Context, Result};
use clap::Parser;
use defaas_client::Chain;
use report::{PhaseReport, Report};
use scenarios::{Ctx, OrderLoad};
use std::path::PathBuf;

/// Load generator of a DeFaaS network started from the `bench` genesis preset.
#[derive(Parser, Debug)]
#[command(name = "defaas-load", version)]
struct Args {
	/// WebSocket URL of a node; repeat for several nodes (transactions are spread over all).
	#[arg(long = "url", default_value = "ws://127.0.0.1:9944")]
	urls: Vec<String>,
	/// Connections per node.
	#[arg(long, default_value_t = 2)]
	connections: usize,
	/// `transfers` scenario: transfers between untouched accounts (0: skip).
	#[arg(long, default_value_t = 0)]
	transfers: u32,
	/// `orders` scenario: orders run to a fulfilled lease (0: skip).
	#[arg(long, default_value_t = 0)]
	orders: u32,
	/// `orders` scenario: providers bidding (round robin).
	#[arg(long, default_value_t = 10)]
	providers: u32,
	/// `orders` scenario: the FaaS level of the orders.
	#[arg(long, default_value_t = 0)]
	level: u32,
	/// `orders` scenario: bid window in blocks (the bids go in once the orders are finalized).
	#[arg(long, default_value_t = 10)]
	bid_window: u32,
	/// `leases` scenario: leases monitored round by round (0: skip).
	#[arg(long, default_value_t = 0)]
	leases: u32,
	/// `leases` scenario: rounds (billing periods) per lease.
	#[arg(long, default_value_t = 1)]
	rounds: u32,
	/// `leases` scenario: witnesses per round.
	#[arg(long, default_value_t = 3)]
	committee: u32,
	/// `leases` scenario: how many of the `bench` preset's genesis witnesses get their VRF key
	/// into the nodes' keystores (spread over the `--url` nodes; 0 on a chain whose witnesses
	/// are already set up).
	#[arg(long, default_value_t = defaas_primitives::bench::WITNESSES)]
	witnesses: u32,
	/// `leases` scenario: the providers' endpoint; by default a healthy test endpoint started
	/// by the generator on 127.0.0.1.
	#[arg(long)]
	endpoint: Option<String>,
	/// First `bench` account to use (runs against the same chain use fresh ranges).
	#[arg(long, default_value_t = 0)]
	first_account: u32,
	/// Finalized blocks without progress after which a phase's missing transactions count as
	/// dropped.
	#[arg(long, default_value_t = 10)]
	patience: u32,
	/// Fund the accounts each scenario uses from this account first (a chain not started from
	/// the `bench` preset, e.g. `//Alice` on a dev chain).
	#[arg(long)]
	fund_from: Option<String>,
	/// Write the report as JSON here.
	#[arg(long)]
	json: Option<PathBuf>,
}

#[tokio::main]
async fn main() {
	if let Err(error) = run(Args::parse()).await {
		eprintln!("defaas-load: {error:#}");
		std::process::exit(1);
	}
}

async fn run(args: Args) -> Result<()> {
	ensure!(args.connections > 0, "--connections must be positive");
	let mut connections = Vec::new();
	let mut nodes = Vec::new();
	for url in &args.urls {
		for _ in 0..args.connections {
			connections.push(Chain::connect(url).await?);
		}
		nodes.extend(connections.last().cloned());
	}
	let first = connections.first().context("no --url")?;
	let tracker = observe::Tracker::start(first).await?;
	let mut ctx = Ctx {
		connections,
		tracker,
		next_account: args.first_account,
		patience: args.patience,
		sent: Vec::new(),
		outcomes: Vec::new(),
		leases: None,
		funder: args.fund_from.as_deref().map(defaas_client::accounts::keypair).transpose()?,
		to_fund: Vec::new(),
	};
	if args.transfers > 0 {
		scenarios::transfers(&mut ctx, args.transfers).await?;
	}
	if args.orders > 0 {
		let load = OrderLoad {
			orders: args.orders,
			providers: args.providers,
			bid_window: args.bid_window,
			level: args.level,
			committee: 1,
			periods: 1,
			endpoint: "http://127.0.0.1:9".to_owned(),
		};
		scenarios::orders(&mut ctx, &load).await?;
	}
	// Kept alive until the end of the run: the witnesses probe it.
	let mut test_endpoint = None;
	if args.leases > 0 {
		scenarios::insert_witness_keys(&nodes, args.witnesses).await?;
		let endpoint = match &args.endpoint {
			Some(url) => url.clone(),
			None => {
				let started = defaas_test_endpoint::TestEndpoint::try_start()
					.context("starting the test endpoint")?;
				let url = started.url();
				test_endpoint = Some(started);
				url
			},
		};
		let load = OrderLoad {
			orders: args.leases,
			providers: args.providers,
			bid_window: args.bid_window,
			level: args.level,
			committee: args.committee,
			periods: args.rounds,
			endpoint,
		};
		scenarios::leases(&mut ctx, &nodes, &load).await?;
	}
	let phases = ctx.finish().await;
	let (_, blocks) = ctx.tracker.snapshot();
	let report = Report {
		urls: args.urls.clone(),
		connections_per_node: args.connections,
		market_to_transfer_ratio: ratio(&phases),
		phases,
		outcomes: ctx.outcomes,
		leases: ctx.leases,
		blocks,
	};
	drop(test_endpoint);
	print!("{}", report.table());
	if let Some(path) = &args.json {
		let json = serde_json::to_string_pretty(&report)?;
		std::fs::write(path, json).with_context(|| format!("write {}", path.display()))?;
	}
	Ok(())
}

/// Market extrinsics per second (the auction phases together) ÷ transfers per second.
fn ratio(phases: &[PhaseReport]) -> Option<f64> {
	let transfers = phases.iter().find(|p| p.name == "transfers")?.per_second;
	let market: Vec<&PhaseReport> = phases
		.iter()
		.filter(|p| p.name.starts_with("orders.") || p.name.starts_with("leases."))
		.filter(|p| !p.name.ends_with(".fund") && !p.name.ends_with(".setup"))
		.collect();
	let included: u64 = market.iter().map(|p| p.included).sum();
	let seconds: f64 = market
		.iter()
		.filter(|p| p.per_second > 0.0)
		.map(|p| p.included as f64 / p.per_second)
		.sum();
	(transfers > 0.0 && seconds > 0.0).then(|| included as f64 / seconds / transfers)
}
