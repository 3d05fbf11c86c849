//! The market dashboard (`dashboard/`) in a real browser: Playwright (`playwright-core`) drives
//! Debian's Chromium headless through `dashboard/test/browser.mjs` against this dev node.
//!
//! - Before the tests start (the setup, while the chain is still empty): a wrong node URL and
//!   an unreachable node each show their state, and the empty chain explains every section.
//! - This test: a provider wins an order (level 2, two periods, a committee of one) and the page
//!   shows the order's auction, then its lease, then round 0's verdict (the dev chain's genesis
//!   witness acts through this node's keystore; the provider's endpoint does not answer, so the
//!   verdict is `Violated` and 50 FST of its stake goes to the customer, counted as slashed in
//!   `FaasTokenApi::eras`). Then the node goes away — a relay in front of it drops every
//!   connection, so the node other tests share keeps running — and comes back; the page says
//!   so, keeps the last market while away and reads newer blocks once back. The page also fits
//!   a phone's width and the first Tab reaches the node field.
//!
//! Screenshots of every state are kept in `<target>/release/dashboard-screenshots/` (the test
//! artifact). Needs Node.js, npm and `/usr/bin/chromium` (`CHROMIUM` overrides it); installs
//! `dashboard/`'s locked npm packages when missing and builds the page (`.ci/run` does both up
//! front).

use crate::Shared;
use anyhow::{bail, ensure, Context, Result};
use defaas_testkit::{
	bins,
	client::{accounts::keypair, subxt::rpcs::rpc_params},
	steps::{self, Terms, FST, VIOLATION_SLASH},
	web::{Relay, StaticSite},
	Node,
};
use pallet_faas_token_runtime_api::EraHistory;
use std::{path::PathBuf, sync::Arc};

/// The order's level: no other test of this binary offers or orders it.
const LEVEL: u32 = 2;

fn dashboard_dir() -> PathBuf {
	bins::workspace_root().join("dashboard")
}

/// Where the screenshots go (kept after the run).
pub fn screenshots() -> PathBuf {
	bins::bin_dir().join("dashboard-screenshots")
}

fn chromium() -> Result<String> {
	let path = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
	ensure!(
		std::path::Path::new(&path).exists(),
		"no Chromium at {path}: install Debian's `chromium` package (.ci/run does) or set CHROMIUM"
	);
	Ok(path)
}

async fn npm(args: &[&str]) -> Result<()> {
	let status = tokio::process::Command::new("npm")
		.args(args)
		.current_dir(dashboard_dir())
		.status()
		.await
		.context("npm is installed (Node.js 18+)")?;
	ensure!(status.success(), "npm {} in dashboard/ failed", args.join(" "));
	Ok(())
}

/// Installs the locked npm packages when missing and builds the page; the built site.
pub async fn build() -> Result<PathBuf> {
	if !dashboard_dir().join("node_modules/playwright-core").exists() {
		npm(&["ci", "--no-audit", "--no-fund"]).await?;
	}
	npm(&["run", "--silent", "build"]).await?;
	Ok(dashboard_dir().join("dist"))
}

/// Runs `browser.mjs` with `args` (and the browser and screenshot directory); its output.
async fn browser(site: &StaticSite, node_url: &str, args: &[&str]) -> Result<String> {
	let out = screenshots();
	let out = out.to_str().context("a UTF-8 path")?;
	let output = tokio::process::Command::new("node")
		.arg(dashboard_dir().join("test/browser.mjs"))
		.args(["--page", &site.url, "--node", node_url, "--out", out, "--chromium", &chromium()?])
		.args(args)
		.output()
		.await
		.context("node (Node.js) runs")?;
	let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
	if !output.status.success() {
		bail!(
			"browser.mjs failed: {}{stdout}",
			String::from_utf8_lossy(&output.stderr).trim_end().to_owned() + "\n"
		);
	}
	Ok(stdout)
}

/// The setup's part, on the chain before any test ran: the connection states and the empty
/// chain.
pub async fn empty_chain(node_url: &str) -> Result<()> {
	let site = StaticSite::start(&build().await?, None)?;
	let said = browser(&site, node_url, &["--checks", "states,empty"]).await?;
	ensure!(said.contains("the empty chain explains every section"), "{said}");
	Ok(())
}

fn socket(node: &Node) -> std::net::SocketAddr {
	std::net::SocketAddr::from(([127, 0, 0, 1], node.rpc_port))
}

pub async fn run(shared: Arc<Shared>) -> Result<()> {
	let chain = shared.node.chain().await?;
	let customer = keypair(&Shared::suri("dashboard", "customer"))?;
	let provider = keypair(&Shared::suri("dashboard", "provider"))?;

	// A provider online at the level, whose endpoint does not answer the witness's probes.
	steps::register_provider_at(&chain, &provider, "http://127.0.0.1:9", &[LEVEL]).await?;
	steps::heartbeat(&chain, &provider, &[(LEVEL as u8, 1)]).await?;

	let relay = Relay::start(socket(&shared.node))?;
	let site = StaticSite::start(&dashboard_dir().join("dist"), Some(relay.clone()))?;
	let terms = Terms {
		level: LEVEL,
		periods: 2,
		committee: 1,
		bid_window: 6,
		max_unit_price: 10 * FST,
		..Terms::default()
	};
	let order_id = steps::create_order(&chain, &customer, &terms).await?;
	let id = order_id.to_string();
	let control = format!("{}relay", site.url);
	let watching = {
		let (site, url, id, control) = (site.clone(), relay.ws_url(), id.clone(), control);
		tokio::spawn(async move {
			let args = [
				"--checks",
				"keyboard,order,away,phone",
				"--order",
				&id,
				"--expect",
				"auction,lease,verdict",
				"--relay",
				&control,
				"--timeout",
				"300",
			];
			browser(&site, &url, &args).await
		})
	};

	// The auction, run as a provider's daemon would, while the page watches.
	let price = 4 * FST;
	steps::commit_bid(&chain, &provider, order_id, price).await?;
	steps::wait_order(&chain, order_id, "revealing", 120, |o| {
		matches!(o.state, defaas_testkit::client::views::OrderState::Revealing { .. })
	})
	.await?;
	steps::reveal_bid(&chain, &provider, order_id, price).await?;
	steps::wait_order(&chain, order_id, "confirming", 120, |o| {
		matches!(o.state, defaas_testkit::client::views::OrderState::Confirming { .. })
	})
	.await?;
	steps::provider_call(&chain, &provider, "confirm_order", order_id).await?;
	steps::provider_call(&chain, &provider, "fulfill", order_id).await?;

	let said = watching.await.context("browser task")??;
	ensure!(said.contains(&format!("order #{id} shown in verdict")), "{said}");
	ensure!(said.contains("came back"), "{said}");

	// What the page showed is what the chain says: round 0 violated, the stake slashed to the
	// customer and counted in the era's slashes.
	let order = chain.order_at(order_id, None).await?.context("the order")?;
	ensure!(order.violated_periods >= 1, "{order:?}");
	let round: serde_json::Value =
		chain.rpc.request("defaas_round", rpc_params![order_id, 0]).await?;
	ensure!(round["verdict"] == "violated", "{round}");
	let eras: String =
		chain.rpc.request("state_call", rpc_params!["FaasTokenApi_eras", "0x"]).await?;
	let slashed = current_era_slashed(&eras)?;
	ensure!(slashed >= VIOLATION_SLASH, "the era slashed {slashed}, less than one violation");
	Ok(())
}

/// The `slashed` total of the era in progress, from the SCALE answer of `FaasTokenApi_eras`.
fn current_era_slashed(hex: &str) -> Result<u128> {
	use codec::Decode;
	let bytes = defaas_primitives::json::from_hex(hex).context("hex")?;
	let history = EraHistory::<u32, u128>::decode(&mut &bytes[..]).context("EraHistory")?;
	Ok(history.current.context("no era in progress")?.slashed)
}
