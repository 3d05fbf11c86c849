//! The load generator (`defaas-load`) at tiny scale on the shared network: its `transfers`,
//! `orders` and `leases` scenarios against two validators, every transaction finalized, none
//! refused or dropped, every auction ending in a running lease, every round of the leases
//! (committees of three of the network's witnesses, the generator's healthy test endpoint)
//! settled without a violation. The full runs are benchmarks
//! (docs/performance.md); this proves the generator and its report stay right.

use crate::{account_suri, Shared};
use anyhow::{ensure, Context, Result};
use defaas_testkit::bins;
use serde_json::Value;
use std::{sync::Arc, time::Duration};

/// FaaS level of the load orders: no other scenario's daemon bids on it.
const LEVEL: u32 = 3;

/// Longest the generator may take here.
const TIMEOUT: Duration = Duration::from_secs(480);

pub async fn load_smoke(shared: Arc<Shared>) -> Result<()> {
	// Funded by the setup: the generator funds its own accounts from it.
	let _ = shared.account("load", "funder");
	let path = std::env::temp_dir().join(format!("defaas-load-smoke-{}.json", std::process::id()));
	let (alice, bob) = (shared.url("alice").await, shared.url("bob").await);
	let mut command = tokio::process::Command::new(bins::load_bin());
	command.args(["--url", &alice, "--url", &bob, "--connections", "1"]);
	command.args(["--transfers", "12", "--orders", "4", "--providers", "2", "--bid-window", "8"]);
	command.args(["--leases", "2", "--rounds", "1", "--committee", "3", "--witnesses", "0"]);
	command.args(["--level", &LEVEL.to_string(), "--fund-from", &account_suri("load", "funder")]);
	command.arg("--json").arg(&path);
	let run = bins::output_of(command, TIMEOUT).await.context("defaas-load")?.ok()?;
	let report: Value = serde_json::from_slice(&std::fs::read(&path)?)?;
	let _ = std::fs::remove_file(&path);
	let phase = |name: &str| {
		report["phases"]
			.as_array()
			.and_then(|phases| phases.iter().find(|p| p["name"] == name))
			.cloned()
			.with_context(|| format!("no phase {name} in {report}"))
	};
	for (name, count) in [
		("transfers.fund", 12 * 2),
		("transfers", 12),
		("orders.fund", 2 + 4),
		("orders.setup", 2 * 2),
		("orders.create", 4),
		("orders.commit", 4),
		("orders.reveal", 4),
		("orders.confirm", 4),
		("orders.fulfill", 4),
		("leases.fund", 2 + 2),
		("leases.setup", 2 * 2),
		("leases.create", 2),
		("leases.commit", 2),
		("leases.reveal", 2),
		("leases.confirm", 2),
		("leases.fulfill", 2),
	] {
		let phase = phase(name)?;
		let counts = ["sent", "included", "refused", "failed", "dropped"].map(|k| phase[k].clone());
		ensure!(
			counts == [count, count, 0, 0, 0].map(Value::from),
			"{name}: {phase}\n{}",
			run.stderr
		);
		ensure!(phase["perSecond"].as_f64().is_some_and(|r| r > 0.0), "{name}: {phase}");
		let (p50, p99) = (&phase["finalizedMs"][0], &phase["finalizedMs"][1]);
		ensure!(p50.as_u64() <= p99.as_u64() && p99.as_u64() > Some(0), "{name}: {phase}");
	}
	ensure!(report["marketToTransferRatio"].as_f64().is_some_and(|r| r > 0.0), "{report}");
	let blocks = report["blocks"].as_array().context("blocks")?;
	ensure!(
		blocks.iter().any(|b| b["normalRefTimeShare"].as_f64().is_some_and(|s| s > 0.0)),
		"per-block weight recorded: {report}"
	);
	ensure!(run.stdout.contains("orders: fulfilled (leases running): 4 of 4"), "{}", run.stdout);
	ensure!(run.stdout.contains("leases: fulfilled (leases running): 2 of 2"), "{}", run.stdout);
	ensure!(
		run.stdout
			.contains("rounds with a verdict ÷ rounds opened: 2 / 2 (0 violated, 0 abandoned"),
		"{}",
		run.stdout
	);
	Ok(())
}
