//! End-to-end tests that need one node and share one: a `defaas-node --dev` started once, then
//! the tests run on it concurrently — block authoring and finality with an FST transfer, the
//! `defaas_*` JSON-RPC as integrators read it, polkadot.js (Node.js) reading the chain and
//! 128-bit values exactly, and the `defaas` CLI as a customer, provider and witness use it
//! (orders, auctions, deployment and invocation against a recording server), and the market
//! dashboard in headless Chromium (an order's auction, lease and verdict; the node away and
//! back; the empty chain, checked by the setup before any test runs). Each test uses its own
//! accounts, so none waits for or races another's transactions. The dev chain's genesis
//! witness acts through this node (the setup puts its key into the keystore).
//!
//! A harness of our own (`libtest-mimic`) so that the node starts and stops once around the
//! tests; `cargo test -p defaas-node --release --test dev -- --list` lists them.

mod cli_deploy;
mod cli_orders;
mod dashboard;
mod dev_chain;
mod polkadot_js;
mod rpc;

use anyhow::{Context, Result};
use defaas_runtime::genesis_config_presets::DEV_WITNESS_SURI;
use defaas_testkit::{
	bins,
	client::accounts::{account_id, keypair},
	dev_node,
	steps::{self, FST},
	Node,
};
use futures::future::BoxFuture;
use libtest_mimic::{Arguments, Failed, Trial};
use std::{path::PathBuf, sync::Arc};

/// What the tests share: the node.
pub struct Shared {
	/// The dev node.
	pub node: Node,
	/// A scratch directory for the tests' files, removed with the node's.
	pub scratch: PathBuf,
}

impl Shared {
	/// The secret URI of `test`'s account `role`, funded by the setup when listed in
	/// [`ACCOUNTS`].
	pub fn suri(test: &str, role: &str) -> String {
		let suri = format!("//Alice//e2e//{test}//{role}");
		assert!(ACCOUNTS.contains(&(test, role)), "{suri} is not funded: add it to ACCOUNTS");
		suri
	}

	/// Writes `bytes` to `name` in the scratch directory; its path.
	pub fn file(&self, name: &str, bytes: &[u8]) -> Result<String> {
		let path = self.scratch.join(name);
		std::fs::write(&path, bytes).with_context(|| format!("write {}", path.display()))?;
		path.to_str().map(str::to_owned).context("a UTF-8 path")
	}
}

/// Accounts the tests use besides the dev accounts of their own: (test, role).
const ACCOUNTS: [(&str, &str); 7] = [
	("cli-orders", "customer"),
	("cli-orders", "provider"),
	("cli-deploy", "customer"),
	("cli-deploy", "provider"),
	("cli-deploy", "witness"),
	("dashboard", "customer"),
	("dashboard", "provider"),
];

type Test = fn(Arc<Shared>) -> BoxFuture<'static, Result<()>>;

/// The dashboard's test: the setup checks the empty chain in a browser first when it runs.
const DASHBOARD: &str = "dashboard_shows_an_order_through_its_verdict_and_a_node_away_and_back";

const ALL: [(&str, Test); 6] = [
	("dev_chain_authors_finalizes_and_transfers_fst", |s| Box::pin(dev_chain::run(s))),
	("defaas_rpc_answers_with_typed_json_and_decimal_strings", |s| Box::pin(rpc::run(s))),
	("polkadot_js_reads_fst_and_exact_128_bit_values", |s| Box::pin(polkadot_js::run(s))),
	("cli_customer_creates_follows_and_cancels_orders", |s| Box::pin(cli_orders::run(s))),
	("cli_provider_receives_the_signed_package_and_invocations", |s| Box::pin(cli_deploy::run(s))),
	(DASHBOARD, |s| Box::pin(dashboard::run(s))),
];

/// Starts the node (and builds the CLI when this binary runs without the workspace's build),
/// lets the genesis witness act through it, funds the tests' accounts and — with the dashboard
/// test selected — checks the empty chain in the browser meanwhile.
async fn setup(dashboard: bool) -> Result<Shared> {
	let built = tokio::task::spawn_blocking(bins::ensure_built);
	let (node, dir) = dev_node("dev").await?;
	let chain = node.chain().await?;
	// The genesis witness's VRF key is its own account key.
	steps::insert_key(&chain, "wtns", DEV_WITNESS_SURI).await?;
	let accounts = ACCOUNTS
		.iter()
		.map(|(test, role)| keypair(&Shared::suri(test, role)).map(|k| account_id(&k)))
		.collect::<Result<Vec<_>>>()?;
	let empty = async {
		if dashboard {
			dashboard::empty_chain(&node.ws_url).await.context("the dashboard on the empty chain")
		} else {
			Ok(())
		}
	};
	let alice = keypair("//Alice")?;
	let (funded, empty) = tokio::join!(steps::fund(&chain, &alice, &accounts, 10_000 * FST), empty);
	funded?;
	empty?;
	built.await.context("build thread")??;
	let scratch = dir.join("scratch");
	std::fs::create_dir_all(&scratch).context("scratch directory")?;
	Ok(Shared { node, scratch })
}

/// Whether libtest's filter and skip arguments select the test `name`.
fn selected(args: &Arguments, name: &str) -> bool {
	let matches = |pattern: &str| if args.exact { name == pattern } else { name.contains(pattern) };
	args.filter.as_deref().is_none_or(matches) && !args.skip.iter().any(|s| matches(s))
}

fn main() {
	let mut args = Arguments::from_args();
	if args.test_threads.is_none() {
		args.test_threads = Some(ALL.len());
	}
	let runtime = Arc::new(
		tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime"),
	);
	let shared = if args.list {
		None
	} else {
		match runtime.block_on(setup(selected(&args, DASHBOARD))) {
			Ok(shared) => Some(Arc::new(shared)),
			Err(error) => {
				eprintln!("starting the dev node failed: {error:#}");
				std::process::exit(101);
			},
		}
	};
	let trials = ALL
		.iter()
		.map(|(name, test)| {
			let (runtime, shared, test) = (runtime.clone(), shared.clone(), *test);
			Trial::test(*name, move || {
				let shared = shared.ok_or_else(|| Failed::from("the node was not started"))?;
				runtime.block_on(test(shared)).map_err(|e| Failed::from(format!("{e:#}")))
			})
		})
		.collect();
	let conclusion = libtest_mimic::run(&args, trials);
	if conclusion.has_failed() {
		if let Some(shared) = &shared {
			eprintln!("---- dev node log ----\n{}", shared.node.log_tail());
		}
	}
	if let Some(shared) = shared.and_then(|shared| Arc::try_unwrap(shared).ok()) {
		let dir = shared.scratch.parent().map(PathBuf::from);
		drop(shared);
		// The node ran with `--tmp`; its directory keeps only logs and the scratch files.
		if let (Some(dir), false) = (dir, conclusion.has_failed()) {
			let _ = std::fs::remove_dir_all(dir);
		}
	}
	conclusion.exit();
}
