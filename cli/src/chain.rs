//! The connection to a DeFaaS node: `defaas_*` JSON-RPC queries and signed extrinsics whose
//! failures are reported with the pallet error's name and doc comment.

use crate::views::{LevelEntry, OrderView, ProviderView, WitnessView};
use anyhow::{anyhow, bail, Context, Result};
use serde::de::DeserializeOwned;
use std::str::FromStr;
use subxt::{
	config::DefaultExtrinsicParamsBuilder,
	dynamic::Value,
	error::{DispatchError, TransactionEventsError},
	extrinsics::ExtrinsicEvents,
	rpcs::{rpc_params, RpcClient},
	transactions::TransactionStatus,
	utils::AccountId32,
	OnlineClient, PolkadotConfig,
};
use subxt_signer::{sr25519::Keypair, SecretUri};

/// The subxt configuration of the DeFaaS chain (polkadot-sdk defaults).
pub type Config = PolkadotConfig;

/// The events of one included extrinsic.
pub type Events = ExtrinsicEvents<Config>;

/// A connected node.
pub struct Chain {
	/// Raw JSON-RPC client (the `defaas_*` methods).
	pub rpc: RpcClient,
	/// subxt client (metadata, extrinsics, events).
	pub api: OnlineClient<Config>,
	/// The URL it was reached at.
	pub url: String,
}

impl Chain {
	/// Connects to the node at `url` (`ws://` or `wss://`), failing with one line naming the
	/// URL if it does not answer.
	pub async fn connect(url: &str) -> Result<Chain> {
		let unreachable = || format!("cannot reach a DeFaaS node at {url}");
		let rpc = tokio::time::timeout(
			std::time::Duration::from_secs(30),
			RpcClient::from_insecure_url(url),
		)
		.await
		.map_err(|_| anyhow!("{}: no answer within 30 s", unreachable()))?
		.map_err(|e| {
			// jsonrpsee nests the same prefix a few times; keep the cause readable.
			let cause = e.to_string().replace("RPC error: client error: ", "");
			anyhow!("{}: {cause}", unreachable())
		})?;
		let api =
			OnlineClient::<Config>::from_rpc_client(rpc.clone()).await.with_context(unreachable)?;
		Ok(Chain { rpc, api, url: url.to_string() })
	}

	/// Calls JSON-RPC `method` with `params` and decodes the answer.
	pub async fn call<T: DeserializeOwned>(
		&self,
		method: &str,
		params: subxt::rpcs::client::RpcParams,
	) -> Result<T> {
		self.rpc.request(method, params).await.with_context(|| format!("RPC {method} failed"))
	}

	/// `defaas_levels`.
	pub async fn levels(&self) -> Result<Vec<LevelEntry>> {
		self.call("defaas_levels", rpc_params![]).await
	}

	/// `defaas_order`; an error if there is no such order (or it was pruned).
	pub async fn order(&self, order_id: u64) -> Result<OrderView> {
		let order: Option<OrderView> = self.call("defaas_order", rpc_params![order_id]).await?;
		order.with_context(|| format!("no order {order_id} (never created, or already pruned)"))
	}

	/// `defaas_provider`.
	pub async fn provider(&self, who: &str) -> Result<Option<ProviderView>> {
		self.call("defaas_provider", rpc_params![who]).await
	}

	/// `defaas_witness`.
	pub async fn witness(&self, who: &str) -> Result<Option<WitnessView>> {
		self.call("defaas_witness", rpc_params![who]).await
	}

	/// The number of the best block.
	pub async fn best_number(&self) -> Result<u64> {
		let header: serde_json::Value = self.call("chain_getHeader", rpc_params![]).await?;
		let hex = header["number"].as_str().context("block header without a number")?;
		u64::from_str_radix(hex.trim_start_matches("0x"), 16).context("block number")
	}

	/// Signs `pallet.call(args)` with `signer`, submits it and waits until it is included in a
	/// block. A failed dispatch becomes an error like
	/// `Market.BidWindowTooShort: Bid window shorter than the min_bid_window timing.`
	pub async fn submit(
		&self,
		signer: &Keypair,
		pallet: &str,
		call: &str,
		args: Vec<Value>,
	) -> Result<Events> {
		let tx = subxt::dynamic::transaction(pallet, call, args);
		// subxt reads the nonce at the finalized block; the node's pool-aware next index also
		// counts the signer's transactions in unfinalized blocks and in the pool.
		let nonce: u64 = self
			.call("system_accountNextIndex", rpc_params![address(signer)])
			.await
			.context("cannot read the signer's nonce")?;
		let params = DefaultExtrinsicParamsBuilder::<Config>::new().nonce(nonce).build();
		let at = self.api.at_current_block().await.context("cannot read the finalized block")?;
		let mut progress = at
			.transactions()
			.sign_and_submit_then_watch(&tx, signer, params)
			.await
			.map_err(|e| anyhow!("{pallet}.{call} was rejected by the node: {e}"))?;
		while let Some(status) = progress.next().await {
			let status = status.with_context(|| format!("watching {pallet}.{call}"))?;
			match status {
				TransactionStatus::InBestBlock(in_block)
				| TransactionStatus::InFinalizedBlock(in_block) => {
					return in_block.wait_for_success().await.map_err(describe_failure);
				},
				TransactionStatus::Error { message }
				| TransactionStatus::Invalid { message }
				| TransactionStatus::Dropped { message } => {
					bail!("{pallet}.{call} was not included: {message}")
				},
				_ => continue,
			}
		}
		bail!("{pallet}.{call}: the node stopped reporting the transaction's progress")
	}
}

/// Turns a failed extrinsic into an error naming the pallet error and its documentation.
fn describe_failure(error: TransactionEventsError) -> anyhow::Error {
	match error {
		TransactionEventsError::ExtrinsicFailed(DispatchError::Module(module)) => {
			match module.details() {
				Ok(details) => {
					let docs = details.variant.docs.join(" ");
					let docs = docs.trim();
					let name = format!("{}.{}", details.pallet.name(), details.variant.name);
					if docs.is_empty() {
						anyhow!("{name}")
					} else {
						anyhow!("{name}: {docs}")
					}
				},
				Err(_) => anyhow!("the extrinsic failed: {module}"),
			}
		},
		TransactionEventsError::ExtrinsicFailed(other) => anyhow!("the extrinsic failed: {other}"),
		other => anyhow!(other),
	}
}

/// The key pair of a secret URI: a dev account (`//Alice`), a mnemonic (optionally with
/// `//derivation` and `///password`) or a `0x` seed.
pub fn keypair(suri: &str) -> Result<Keypair> {
	let uri = SecretUri::from_str(suri).map_err(|e| anyhow!("invalid --suri: {e}"))?;
	Keypair::from_uri(&uri).map_err(|e| anyhow!("invalid --suri: {e}"))
}

/// The SS58 address of a key pair's account.
pub fn address(keypair: &Keypair) -> String {
	keypair.public_key().to_account_id().to_string()
}

/// Parses an account given as SS58 or as `0x` + 64 hex digits (a raw public key).
pub fn parse_account(text: &str) -> Result<[u8; 32]> {
	if let Some(hex) = text.strip_prefix("0x") {
		let bytes = hex_decode(hex).with_context(|| format!("`{text}` is not valid hex"))?;
		return bytes
			.try_into()
			.map_err(|_| anyhow!("`{text}` is not 32 bytes (64 hex digits after 0x)"));
	}
	AccountId32::from_str(text)
		.map(|account| account.0)
		.map_err(|e| anyhow!("`{text}` is neither an SS58 address nor 0x + 32 bytes: {e}"))
}

/// The SS58 address of raw account bytes.
pub fn ss58(account: [u8; 32]) -> String {
	AccountId32(account).to_string()
}

/// Lowercase hex without prefix.
pub fn hex_encode(bytes: &[u8]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Decodes hex (without prefix).
pub fn hex_decode(hex: &str) -> Result<Vec<u8>> {
	if !hex.len().is_multiple_of(2) {
		bail!("odd number of hex digits");
	}
	(0..hex.len())
		.step_by(2)
		.map(|i| {
			hex.get(i..i + 2)
				.and_then(|pair| u8::from_str_radix(pair, 16).ok())
				.context("invalid hex digit")
		})
		.collect()
}

/// Finds a named unsigned-integer field anywhere in a decoded event value.
pub fn find_u128(value: &Value, name: &str) -> Option<u128> {
	use subxt::ext::scale_value::{Composite, ValueDef};
	let in_composite = |composite: &Composite<()>| match composite {
		Composite::Named(fields) => {
			fields
				.iter()
				.find_map(|(n, v)| if n == name { v.as_u128() } else { find_u128(v, name) })
		},
		Composite::Unnamed(values) => values.iter().find_map(|v| find_u128(v, name)),
	};
	match &value.value {
		ValueDef::Composite(composite) => in_composite(composite),
		ValueDef::Variant(variant) => in_composite(&variant.values),
		_ => None,
	}
}

/// The fields of the first `pallet.event` among an extrinsic's events.
pub fn find_event(events: &Events, pallet: &str, event: &str) -> Result<Value> {
	for found in events.iter() {
		let found = found.context("cannot decode the extrinsic's events")?;
		if found.pallet_name() == pallet && found.event_name() == event {
			return found.decode_as::<Value>().context("cannot decode the event's fields");
		}
	}
	bail!("the extrinsic emitted no {pallet}.{event} event")
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn accounts_parse_from_ss58_and_hex() {
		let alice = subxt_signer::sr25519::dev::alice();
		let raw = alice.public_key().0;
		assert_eq!(parse_account(&address(&alice)).unwrap(), raw);
		assert_eq!(parse_account(&format!("0x{}", hex_encode(&raw))).unwrap(), raw);
		assert!(parse_account("0x1234").is_err());
		assert!(parse_account("nonsense").is_err());
		assert_eq!(ss58(raw), address(&alice));
	}

	#[test]
	fn dev_suris_and_mnemonics_give_key_pairs() {
		assert_eq!(keypair("//Alice").unwrap().public_key().0, {
			subxt_signer::sr25519::dev::alice().public_key().0
		});
		let phrase = "bottom drive obey lake curtain smoke basket hold race lonely fit walk//Alice";
		assert_eq!(
			keypair(phrase).unwrap().public_key().0,
			subxt_signer::sr25519::dev::alice().public_key().0
		);
		assert!(keypair("not a valid phrase at all").is_err());
	}
}
