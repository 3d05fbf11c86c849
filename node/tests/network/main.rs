//! End-to-end tests on one shared four-validator network (`local_testnet`, off-chain workers
//! always on): only what needs real nodes — the off-chain workers (heartbeats, committee joins,
//! probes, commits and reveals), keystores, provider daemons, the CLI, node and daemon faults.
//! Chain rules themselves are proven in `runtime/tests` (the real runtime, no node).
//!
//! The network is started once, its four witnesses (one `wtns` key per node) registered and
//! activated once; then the scenarios run as tests on it, concurrently. They stay out of each
//! other's way by construction: each has its own accounts and FaaS level (a daemon bids only on
//! its levels), and they filter events by their own order. Two scenarios take a node down; the
//! four-validator network finalizes with any three, and keeps producing blocks with fewer.
//! One scenario even upgrades the runtime under the others (they must not notice).
//!
//! The exclusive scenarios (`scenarios::EXCLUSIVE`) take two validators — and their witnesses —
//! down at once, which would cost every concurrent lease its committee's quorum: they start
//! once every other selected scenario has finished, one at a time.
//!
//! A harness of our own (`libtest-mimic`) so that setup and teardown happen once around the
//! tests; `cargo test -p defaas-node --release --test network -- --list` lists them.

mod faults;
mod load;
mod pool;
mod scenarios;
mod stable;
mod upgrade;

use anyhow::{Context, Result};
use defaas_testkit::{
	bins,
	client::{
		accounts::{account_id, keypair},
		subxt_signer::sr25519::Keypair,
	},
	steps::{self, FST, WITNESS_STAKE},
	LocalNetwork,
};
use libtest_mimic::{Arguments, Failed, Trial};
use std::{
	path::PathBuf,
	sync::{Arc, Mutex as StdMutex},
};
use tokio::sync::RwLock;

/// One witness per node: (node, witness account, VRF key secret in that node's keystore).
pub const WITNESSES: [(&str, &str); 4] = [
	("alice", "//Alice//stash"),
	("bob", "//Bob//stash"),
	("charlie", "//Eve"),
	("dave", "//Ferdie"),
];

/// The node whose keystore holds the VRF key of witness `who`, if `who` is one of [`WITNESSES`].
pub fn witness_node(who: &defaas_testkit::client::views::AccountId) -> Option<&'static str> {
	WITNESSES.iter().find_map(|(node, uri)| {
		(keypair(uri).ok().map(|k| account_id(&k)).as_ref() == Some(who)).then_some(*node)
	})
}

/// What every scenario shares.
pub struct Shared {
	/// The network; scenarios that restart a node take the write lock only for the restart.
	pub network: RwLock<LocalNetwork>,
	/// The `hello` function component (built once).
	pub hello: PathBuf,
	/// Scenario accounts funded by the setup.
	funded: StdMutex<Vec<String>>,
	/// What the setup saw with Dave's validator down (checked by its own test).
	pub validator_down: Result<String, String>,
	/// Selected concurrent scenarios still running; the exclusive ones wait for zero.
	concurrent_left: tokio::sync::watch::Sender<usize>,
	/// One exclusive scenario at a time.
	exclusive: tokio::sync::Mutex<()>,
}

impl Shared {
	/// A funded account for `scenario`'s `role` (its own: no nonce races between scenarios).
	pub fn account(&self, scenario: &str, role: &str) -> Keypair {
		let suri = account_suri(scenario, role);
		let funded = self.funded.lock().map(|f| f.contains(&suri)).unwrap_or(false);
		assert!(funded, "{suri} was not funded by the setup: add it to ACCOUNTS");
		keypair(&suri).expect("a derived dev account")
	}

	/// The WebSocket URL of node `name`.
	pub async fn url(&self, name: &str) -> String {
		self.network.read().await.node(name).ws_url.clone()
	}

	/// A client of node `name`.
	pub async fn chain(&self, name: &str) -> Result<defaas_testkit::Chain> {
		let url = self.url(name).await;
		defaas_testkit::Chain::connect(&url).await
	}

	/// Waits until every selected concurrent scenario has finished, then holds the network
	/// alone until the guard is dropped.
	pub async fn alone(&self) -> tokio::sync::MutexGuard<'_, ()> {
		let mut left = self.concurrent_left.subscribe();
		// The sender lives in `self`: `wait_for` cannot fail while we hold `self`.
		let _ = left.wait_for(|left| *left == 0).await;
		self.exclusive.lock().await
	}

	/// A concurrent scenario has finished (passed or failed).
	fn concurrent_done(&self) {
		self.concurrent_left.send_modify(|left| *left = left.saturating_sub(1));
	}
}

/// The secret URI of a scenario account.
pub fn account_suri(scenario: &str, role: &str) -> String {
	format!("//Alice//e2e//{scenario}//{role}")
}

/// Accounts the scenarios use: (scenario, role).
const ACCOUNTS: [(&str, &str); 22] = [
	("upgrade", "provider"),
	("upgrade", "customer"),
	("offline", "provider"),
	("offline", "customer"),
	("dispute", "provider"),
	("dispute", "customer"),
	("exhaustion", "provider"),
	("exhaustion", "customer"),
	("workers", "provider"),
	("workers", "customer"),
	("daemons", "cheap"),
	("daemons", "dear"),
	("daemons", "customer-a"),
	("daemons", "customer-b"),
	("node-restart", "provider"),
	("node-restart", "customer"),
	("rpc", "customer"),
	("load", "funder"),
	("rpc", "provider"),
	("stable", "provider"),
	("pool", "provider"),
	("pool", "customer"),
];

/// Starts the network, registers and activates the witnesses, funds the scenario accounts.
async fn setup(concurrent: usize) -> Result<Shared> {
	let hello = tokio::task::spawn_blocking(|| -> Result<PathBuf> {
		bins::ensure_built()?;
		build_hello()
	});
	let network = LocalNetwork::start("network").await?;
	let alice = network.chain("alice").await?;
	for (node, witness) in WITNESSES {
		let node = network.chain(node).await?;
		let vrf = format!("{witness}//wtns");
		steps::register_witness(&alice, &node, &keypair(witness)?, &vrf, WITNESS_STAKE).await?;
	}
	let active_from =
		steps::witness_active_from(&alice, &account_id(&keypair(WITNESSES[0].1)?)).await?;
	let funder = keypair("//Alice")?;
	// One batch (consecutive nonces from one read, one or two blocks).
	let funded: Vec<String> = ACCOUNTS.iter().map(|(s, r)| account_suri(s, r)).collect();
	let accounts =
		funded.iter().map(|suri| Ok(account_id(&keypair(suri)?))).collect::<Result<Vec<_>>>()?;
	steps::fund(&alice, &funder, &accounts, 10_000 * FST).await?;
	// While the witnesses wait for their activation (no lease runs yet), one validator goes
	// down: the other three keep finalizing; back up, it catches up with the finalized chain.
	let mut network = network;
	let validator_down = validator_down(&mut network, &alice).await.map_err(|e| format!("{e:#}"));
	// Scenarios start once the witnesses can be drawn.
	steps::wait_for_block(&alice, active_from).await?;
	let hello = hello.await.context("build thread")??;
	Ok(Shared {
		network: RwLock::new(network),
		hello,
		funded: StdMutex::new(funded),
		validator_down,
		concurrent_left: tokio::sync::watch::Sender::new(concurrent),
		exclusive: tokio::sync::Mutex::new(()),
	})
}

/// Kills Dave's validator, waits until the other three finalize three more blocks, restarts
/// it and waits until it has imported and finalized past that point.
async fn validator_down(
	network: &mut LocalNetwork,
	alice: &defaas_testkit::Chain,
) -> Result<String> {
	let dave = network.node_mut("dave");
	dave.kill();
	let (_, before) = alice.finalized().await?;
	steps::wait_finalized(alice, before + 3).await?;
	dave.restart().await?;
	let dave_chain = dave.chain().await?;
	let (_, target) = alice.finalized().await?;
	steps::wait_finalized(&dave_chain, target).await?;
	Ok(format!("finalized {before} → {} with Dave down; Dave back at {target}", before + 3))
}

/// Builds the `hello` example function (a `wasm32-wasip2` component); its path.
fn build_hello() -> Result<PathBuf> {
	Ok(bins::build_functions(&["hello"])?.join("hello.wasm"))
}

/// Counts a concurrent scenario as finished when dropped.
struct ConcurrentDone<'a>(&'a Shared);

impl Drop for ConcurrentDone<'_> {
	fn drop(&mut self) {
		self.0.concurrent_done();
	}
}

type Scenario = fn(Arc<Shared>) -> futures::future::BoxFuture<'static, Result<()>>;

fn main() {
	let mut args = Arguments::from_args();
	// The scenarios mostly wait for blocks: run them all at once unless told otherwise.
	if args.test_threads.is_none() {
		args.test_threads = Some(scenarios::ALL.len() + scenarios::EXCLUSIVE.len());
	}
	let runtime = Arc::new(
		tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime"),
	);
	let listing = args.list;
	let wanted = |name: &str| {
		args.filter.as_deref().is_none_or(|filter| {
			if args.exact {
				name == filter
			} else {
				name.contains(filter)
			}
		}) && !args.skip.iter().any(|skip| name.contains(skip.as_str()))
	};
	let concurrent = scenarios::ALL.iter().filter(|(name, _)| wanted(name)).count();
	let any_wanted = (concurrent > 0 || scenarios::EXCLUSIVE.iter().any(|(name, _)| wanted(name)))
		&& !args.ignored;
	let shared = if listing || !any_wanted {
		None
	} else {
		match runtime.block_on(setup(concurrent)) {
			Ok(shared) => Some(Arc::new(shared)),
			Err(error) => {
				eprintln!("network setup failed: {error:#}");
				std::process::exit(101);
			},
		}
	};
	let trial = |(name, scenario): &(&'static str, Scenario), exclusive: bool| {
		let (runtime, shared, scenario) = (runtime.clone(), shared.clone(), *scenario);
		Trial::test(*name, move || {
			let shared = shared.ok_or_else(|| Failed::from("the network was not set up"))?;
			let result = runtime.block_on(async {
				if exclusive {
					let _alone = shared.alone().await;
					scenario(shared.clone()).await
				} else {
					// Counted as finished even if it panics.
					let _done = ConcurrentDone(&shared);
					scenario(shared.clone()).await
				}
			});
			result.map_err(|e| Failed::from(format!("{e:#}")))
		})
	};
	let trials = scenarios::ALL
		.iter()
		.map(|s| trial(s, false))
		.chain(scenarios::EXCLUSIVE.iter().map(|s| trial(s, true)))
		.collect();
	let conclusion = libtest_mimic::run(&args, trials);
	if let Some(shared) = shared {
		if let Ok(shared) = Arc::try_unwrap(shared) {
			let network = shared.network.into_inner();
			if conclusion.has_failed() {
				eprintln!(
					"{}\n(node state and logs kept in {})",
					network.log_tails(),
					network.dir.display()
				);
			}
			network.finish(conclusion.has_failed());
		}
	}
	conclusion.exit();
}
