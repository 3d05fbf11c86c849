//! Pre-signing and bulk submission: every transaction of a phase is signed before the first is
//! sent (explicit nonces, immortal), then handed to the nodes over several connections at once
//! with `author_submitExtrinsic`, the raw bytes — no per-transaction subscription.

use crate::observe::Tracker;
use anyhow::{anyhow, Context, Result};
use defaas_client::{
	chain::Config,
	subxt::{
		client::{ClientAtBlock, OnlineClientAtBlockImpl},
		config::DefaultExtrinsicParamsBuilder,
		dynamic::Value,
		rpcs::rpc_params,
		utils::H256,
	},
	subxt_signer::sr25519::Keypair,
	Chain,
};
use defaas_primitives::json::to_hex;
use futures::{stream, StreamExt};
use std::{sync::Arc, time::Instant};

/// A block's view of the chain (metadata, genesis hash) to sign against.
pub type At = ClientAtBlock<Config, OnlineClientAtBlockImpl<Config>>;

/// How many submissions one connection keeps in flight.
pub const IN_FLIGHT_PER_CONNECTION: usize = 64;

/// A signed transaction ready to send.
pub struct Signed {
	/// Its SCALE bytes.
	pub bytes: Vec<u8>,
	/// Its hash (what the observer looks for in blocks).
	pub hash: H256,
	/// What it is, for the report (`Balances.transfer_keep_alive`, `Market.commit_bid`, …).
	pub kind: &'static str,
	/// Which connection sends it: transactions of one signer go over one connection, in
	/// nonce order.
	pub lane: usize,
}

/// Signs `pallet.call(args)` by `signer` with `nonce`, immortal, against `at`'s metadata.
pub fn sign(
	at: &At,
	signer: &Keypair,
	nonce: u64,
	kind: &'static str,
	args: Vec<Value>,
	lane: usize,
) -> Result<Signed> {
	let (pallet, call) = kind.split_once('.').context("kind is Pallet.call")?;
	let payload = defaas_client::subxt::dynamic::tx(pallet, call, args);
	let params = DefaultExtrinsicParamsBuilder::<Config>::new().immortal().nonce(nonce).build();
	let signed = at
		.transactions()
		.create_signable_offline(&payload, params)
		.map_err(|e| anyhow!("{kind}: {e}"))?
		.sign(signer)
		.map_err(|e| anyhow!("{kind} cannot be signed: {e}"))?;
	Ok(Signed { hash: signed.hash(), bytes: signed.into_encoded(), kind, lane })
}

/// What the nodes said to the submissions of one phase.
#[derive(Default, Debug, Clone, Copy)]
pub struct Submitted {
	/// Accepted into a pool.
	pub accepted: u64,
	/// Refused (invalid, pool full, banned): the transaction will not be included.
	pub refused: u64,
}

/// Sends every transaction over `connections` (transaction `lane` over connection
/// `lane % connections.len()`), [`IN_FLIGHT_PER_CONNECTION`] at a time per connection, in lane
/// order within a connection. Each is registered with `tracker` just before it is sent.
pub async fn submit_all(
	connections: &[Chain],
	txs: Vec<Signed>,
	tracker: &Arc<Tracker>,
) -> Result<Submitted> {
	anyhow::ensure!(!connections.is_empty(), "no connection to submit over");
	let mut lanes: Vec<Vec<Signed>> = connections.iter().map(|_| Vec::new()).collect();
	let count = lanes.len();
	for tx in txs {
		if let Some(lane) = lanes.get_mut(tx.lane % count) {
			lane.push(tx);
		}
	}
	let sends = connections.iter().zip(lanes).map(|(chain, lane)| {
		let tracker = tracker.clone();
		async move {
			let mut submitted = Submitted::default();
			let mut results = stream::iter(lane)
				.map(|tx| {
					let tracker = tracker.clone();
					async move {
						tracker.sent(tx.hash, tx.kind, Instant::now());
						let result: Result<H256, _> = chain
							.rpc
							.request("author_submitExtrinsic", rpc_params![to_hex(&tx.bytes)])
							.await;
						if let Err(error) = &result {
							tracker.refused(tx.hash, &error.to_string());
						}
						result.is_ok()
					}
				})
				.buffered(IN_FLIGHT_PER_CONNECTION);
			while let Some(accepted) = results.next().await {
				if accepted {
					submitted.accepted += 1;
				} else {
					submitted.refused += 1;
				}
			}
			submitted
		}
	});
	let mut total = Submitted::default();
	for part in futures::future::join_all(sends).await {
		total.accepted += part.accepted;
		total.refused += part.refused;
	}
	Ok(total)
}
