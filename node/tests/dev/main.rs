//! End-to-end tests that need one node and share one: a `defaas-node --dev` started once, then
//! the tests run on it concurrently — block authoring and finality with an FST transfer, the
//! `defaas_*` JSON-RPC as integrators read it, and polkadot.js (Node.js) reading the chain and
//! 128-bit values exactly. Each test uses its own dev accounts.
//!
//! A harness of our own (`libtest-mimic`) so that the node starts and stops once around the
//! tests; `cargo test -p defaas-node --release --test dev -- --list` lists them.

mod dev_chain;
mod polkadot_js;
mod rpc;

use anyhow::Result;
use defaas_testkit::{dev_node, Node};
use futures::future::BoxFuture;
use libtest_mimic::{Arguments, Failed, Trial};
use std::sync::Arc;

/// What the tests share: the node.
pub struct Shared {
	/// The dev node.
	pub node: Node,
}

type Test = fn(Arc<Shared>) -> BoxFuture<'static, Result<()>>;

const ALL: [(&str, Test); 3] = [
	("dev_chain_authors_finalizes_and_transfers_fst", |s| Box::pin(dev_chain::run(s))),
	("defaas_rpc_answers_with_typed_json_and_decimal_strings", |s| Box::pin(rpc::run(s))),
	("polkadot_js_reads_fst_and_exact_128_bit_values", |s| Box::pin(polkadot_js::run(s))),
];

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
		match runtime.block_on(dev_node("dev")) {
			Ok((node, _dir)) => Some(Arc::new(Shared { node })),
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
	drop(shared);
	conclusion.exit();
}
