//! The daemon's view of the chain: JSON-RPC reads (`defaas_*` methods) and signed
//! submissions through subxt.

use crate::deploy::{OrderFacts, OrderSource};
use anyhow::{anyhow, Context};
use serde_json::Value;
use std::{future::Future, pin::Pin, str::FromStr};
use subxt::{
	config::DefaultExtrinsicParamsBuilder,
	dynamic::{self, Value as DynValue},
	rpcs::{rpc_params, RpcClient},
	utils::{AccountId32, H256},
	OnlineClient, PolkadotConfig,
};
use subxt_signer::{sr25519::Keypair, SecretUri};

/// Key type of the provider's heartbeat key in the node's keystore (`pallet-market`).
pub const HEARTBEAT_KEY_TYPE: &str = "prov";

/// A connection to one node, signing as the provider.
#[derive(Clone)]
pub struct Chain {
	rpc: RpcClient,
	api: OnlineClient<PolkadotConfig>,
	signer: Keypair,
	suri: String,
}

/// A finalized block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
	/// Block number.
	pub number: u64,
	/// Block hash.
	pub hash: H256,
}

impl Chain {
	/// Connects to the node at `url` (`ws://…`), signing with the account of `suri`.
	pub async fn connect(url: &str, suri: &str) -> anyhow::Result<Self> {
		let uri = SecretUri::from_str(suri).map_err(|e| anyhow!("invalid secret URI: {e}"))?;
		let signer = Keypair::from_uri(&uri).map_err(|e| anyhow!("invalid secret URI: {e}"))?;
		let rpc = RpcClient::from_insecure_url(url)
			.await
			.with_context(|| format!("connecting to the node at {url}"))?;
		let api = OnlineClient::<PolkadotConfig>::from_rpc_client(rpc.clone())
			.await
			.with_context(|| format!("reading the metadata of the node at {url}"))?;
		Ok(Self { rpc, api, signer, suri: suri.to_string() })
	}

	/// The provider's account.
	pub fn account(&self) -> [u8; 32] {
		self.signer.public_key().0
	}

	/// The provider's account in SS58.
	pub fn account_ss58(&self) -> String {
		AccountId32(self.account()).to_string()
	}

	/// The latest finalized block.
	pub async fn finalized_head(&self) -> anyhow::Result<Head> {
		let hash: H256 = self.rpc.request("chain_getFinalizedHead", rpc_params![]).await?;
		let header: Value = self.rpc.request("chain_getHeader", rpc_params![hash]).await?;
		let number = header["number"]
			.as_str()
			.and_then(|hex| u64::from_str_radix(hex.trim_start_matches("0x"), 16).ok())
			.context("a header without a number")?;
		Ok(Head { number, hash })
	}

	/// `defaas_order` at `at` (the best block if `None`).
	pub async fn order(&self, order_id: u64, at: Option<H256>) -> anyhow::Result<Option<Value>> {
		let order: Option<Value> =
			self.rpc.request("defaas_order", rpc_params![order_id, at]).await?;
		Ok(order)
	}

	/// `defaas_openOrders` at `at`: orders whose auction runs.
	pub async fn open_orders(&self, at: Option<H256>) -> anyhow::Result<Vec<Value>> {
		let orders: Vec<Value> = self
			.rpc
			.request("defaas_openOrders", rpc_params![Option::<u32>::None, 1000u32, at])
			.await?;
		Ok(orders)
	}

	/// `defaas_levels`.
	pub async fn levels(&self) -> anyhow::Result<Vec<Value>> {
		let levels: Vec<Value> =
			self.rpc.request("defaas_levels", rpc_params![Option::<H256>::None]).await?;
		Ok(levels)
	}

	/// `defaas_provider` of this provider.
	pub async fn provider(&self) -> anyhow::Result<Option<Value>> {
		let view: Option<Value> = self
			.rpc
			.request("defaas_provider", rpc_params![self.account_ss58(), Option::<H256>::None])
			.await?;
		Ok(view)
	}

	/// Puts the provider's key into the node's keystore as its `prov` heartbeat key, so the
	/// node's off-chain worker sends the heartbeats (needs the node's unsafe RPC methods).
	pub async fn insert_heartbeat_key(&self) -> anyhow::Result<()> {
		let public = format!("0x{}", hex(&self.account()));
		let _: Value = self
			.rpc
			.request("author_insertKey", rpc_params![HEARTBEAT_KEY_TYPE, &self.suri, public])
			.await
			.context("author_insertKey (does the node allow unsafe RPC methods?)")?;
		Ok(())
	}

	/// Signs `pallet.call(args)` with the provider's key and hands it to the node's pool
	/// (the pool-aware nonce lets several submissions follow each other). The outcome is
	/// logged when the transaction is in a finalized block.
	pub async fn submit(
		&self,
		pallet: &'static str,
		call: &'static str,
		args: Vec<DynValue>,
	) -> anyhow::Result<()> {
		let tx = dynamic::transaction(pallet, call, args);
		let nonce: u64 =
			self.rpc.request("system_accountNextIndex", rpc_params![self.account_ss58()]).await?;
		let params = DefaultExtrinsicParamsBuilder::<PolkadotConfig>::new().nonce(nonce).build();
		let progress = self
			.api
			.at_current_block()
			.await?
			.transactions()
			.sign_and_submit_then_watch(&tx, &self.signer, params)
			.await
			.with_context(|| format!("submitting {pallet}.{call}"))?;
		tokio::spawn(async move {
			match progress.wait_for_finalized_success().await {
				Ok(_) => log::info!("{pallet}.{call} finalized"),
				Err(e) => log::warn!("{pallet}.{call} failed: {e}"),
			}
		});
		Ok(())
	}
}

/// The chain as the deployment API reads it (best block: the freshest state).
pub struct RpcOrders {
	chain: Chain,
}

impl RpcOrders {
	/// Order lookups through `chain`.
	pub fn new(chain: Chain) -> Self {
		Self { chain }
	}

	async fn facts(&self, order_id: u64) -> anyhow::Result<Option<OrderFacts>> {
		let Some(order) = self.chain.order(order_id, None).await? else { return Ok(None) };
		let level_id = order["level"].as_u64().context("order without a level")? as u32;
		let levels = self.chain.levels().await?;
		let level = levels
			.iter()
			.find(|level| level["levelId"].as_u64() == Some(u64::from(level_id)))
			.with_context(|| format!("level {level_id} of order {order_id} is unknown"))?;
		let number = |value: &Value, name: &str| -> anyhow::Result<u32> {
			value[name].as_u64().map(|n| n as u32).with_context(|| format!("level field {name}"))
		};
		let package_hash = hex_decode_32(order["packageHash"].as_str().unwrap_or_default())
			.context("the order's package hash")?;
		Ok(Some(OrderFacts {
			customer: account_of(&order["customer"]).context("the order's customer")?,
			matched_provider: matched_provider(&order),
			package_hash,
			ended: order_ended(&order),
			level: level_id,
			memory_mb: number(level, "memoryMb")?,
			package_mb: number(level, "packageMb")?,
			cpu_millicores: number(level, "cpuMillicores")?,
		}))
	}
}

impl OrderSource for RpcOrders {
	fn order(
		&self,
		order_id: u64,
	) -> Pin<Box<dyn Future<Output = anyhow::Result<Option<OrderFacts>>> + Send + '_>> {
		Box::pin(self.facts(order_id))
	}
}

/// The name of an order's state (`bidding`, `revealing`, ..., `cancelled`).
pub fn state_name(order: &Value) -> &str {
	order["state"]
		.as_object()
		.and_then(|state| state.keys().next())
		.map(String::as_str)
		.or_else(|| order["state"].as_str())
		.unwrap_or("unknown")
}

/// Whether the order reached a terminal state.
pub fn order_ended(order: &Value) -> bool {
	matches!(state_name(order), "finished" | "failed" | "cancelled")
}

/// The provider the order is matched to: the lease's provider, or the candidate that must
/// confirm.
pub fn matched_provider(order: &Value) -> Option<[u8; 32]> {
	account_of(&order["provider"])
		.or_else(|| account_of(&order["state"]["confirming"]["candidate"]))
}

/// An SS58 (or `0x` hex) account in JSON.
pub fn account_of(value: &Value) -> Option<[u8; 32]> {
	let text = value.as_str()?;
	if text.starts_with("0x") {
		return hex_decode_32(text);
	}
	AccountId32::from_str(text).ok().map(|account| account.0)
}

/// A JSON number (or numeric string) as u128.
pub fn as_u128(value: &Value) -> Option<u128> {
	value
		.as_u64()
		.map(u128::from)
		.or_else(|| value.as_str().and_then(|s| s.parse().ok()))
		.or_else(|| value.as_f64().filter(|f| *f >= 0.0 && f.fract() == 0.0).map(|f| f as u128))
}

/// Lower-case hex without prefix.
pub fn hex(bytes: &[u8]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// 32 bytes from `0x` hex.
pub fn hex_decode_32(text: &str) -> Option<[u8; 32]> {
	let text = text.strip_prefix("0x").unwrap_or(text);
	if text.len() != 64 {
		return None;
	}
	let mut out = [0u8; 32];
	for (i, byte) in out.iter_mut().enumerate() {
		*byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
	}
	Some(out)
}

#[cfg(test)]
mod tests {
	use super::*;
	use serde_json::json;

	#[test]
	fn order_json_is_read_as_the_rpc_writes_it() {
		let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
		let confirming = json!({
			"state": {"confirming": {"candidate": alice, "price": 5, "confirmUntil": 9}},
			"provider": null,
		});
		assert_eq!(state_name(&confirming), "confirming");
		let alice_id = account_of(&json!(alice)).unwrap();
		assert_eq!(alice_id[..4], [0xd4, 0x35, 0x93, 0xc7]);
		assert_eq!(matched_provider(&confirming), Some(alice_id));
		assert!(!order_ended(&confirming));
		let finished = json!({"state": {"finished": {"pruneAt": 9}}, "provider": alice});
		assert!(order_ended(&finished));
		assert_eq!(matched_provider(&finished), Some(alice_id));
		assert_eq!(matched_provider(&json!({"state": {"bidding": {}}})), None);
		assert_eq!(as_u128(&json!(5_000_000_000_000u64)), Some(5_000_000_000_000));
		assert_eq!(hex_decode_32(&format!("0x{}", hex(&[7u8; 32]))), Some([7u8; 32]));
		assert_eq!(hex_decode_32("0x12"), None);
	}
}
