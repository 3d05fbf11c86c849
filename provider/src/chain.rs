//! The daemon's view of the chain: JSON-RPC reads (`defaas_*` methods) and signed
//! submissions through subxt.
//!
//! The node's JSON writes every 128-bit number (balances such as `maxUnitPrice`, `prepay`,
//! `unitPrice`, `stake`, a Confirming candidate's `price`) as a decimal string and byte strings
//! such as `packageHash` as `0x` hex; [`number`] reads a decimal string or a JSON number, so
//! older nodes that wrote numbers still work.

use crate::orders::{OrderFacts, OrderFuture, OrderSource};
use anyhow::{anyhow, Context};
use defaas_primitives::json::{from_hex, to_hex};
use serde::Deserialize;
use serde_json::Value;
use std::str::FromStr;
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
		let public = to_hex(&self.account());
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
		let level_id: u32 = number(&order["level"]).context("order without a level")?;
		let levels = self.chain.levels().await?;
		let level = levels
			.iter()
			.find(|level| number::<u32>(&level["levelId"]) == Some(level_id))
			.with_context(|| format!("level {level_id} of order {order_id} is unknown"))?;
		let field = |value: &Value, name: &str| -> anyhow::Result<u32> {
			number(&value[name]).with_context(|| format!("level field {name}"))
		};
		let package_hash =
			order["packageHash"].as_str().and_then(bytes32).context("the order's package hash")?;
		Ok(Some(OrderFacts {
			customer: account_of(&order["customer"]).context("the order's customer")?,
			matched_provider: matched_provider(&order),
			package_hash,
			ended: order_ended(&order),
			level: level_id,
			memory_mb: field(level, "memoryMb")?,
			package_mb: field(level, "packageMb")?,
			cpu_millicores: field(level, "cpuMillicores")?,
		}))
	}
}

impl OrderSource for RpcOrders {
	fn order(&self, order_id: u64) -> OrderFuture<'_> {
		Box::pin(self.facts(order_id))
	}
}

/// What the bid engine reads of an open order (`defaas_openOrders`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenOrder {
	/// The order id.
	#[serde(deserialize_with = "defaas_primitives::json::string::deserialize")]
	pub order_id: u64,
	/// Its FaaS level.
	#[serde(deserialize_with = "defaas_primitives::json::string::deserialize")]
	pub level: u32,
	/// The highest unit price the customer accepts (a decimal string).
	#[serde(deserialize_with = "defaas_primitives::json::string::deserialize")]
	pub max_unit_price: u128,
}

impl OpenOrder {
	/// Reads the fields of `order`; an error if one is missing or malformed.
	pub fn from_json(order: &Value) -> Result<Self, serde_json::Error> {
		Self::deserialize(order)
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
		return bytes32(text);
	}
	AccountId32::from_str(text).ok().map(|account| account.0)
}

/// A number written as a decimal string (how the node writes 128-bit values) or as a JSON
/// number; `None` if it is neither or does not fit `T`.
pub fn number<T: FromStr>(value: &Value) -> Option<T> {
	defaas_primitives::json::string::deserialize(value).ok()
}

/// Exactly 32 bytes from `0x` hex.
fn bytes32(text: &str) -> Option<[u8; 32]> {
	from_hex(text)?.try_into().ok()
}

#[cfg(test)]
mod tests {
	use super::*;
	use serde_json::json;

	const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

	#[test]
	fn order_json_is_read_as_the_rpc_writes_it() {
		let confirming = json!({
			"state": {"confirming": {"candidate": ALICE, "price": "5", "confirmUntil": 9}},
			"provider": null,
		});
		assert_eq!(state_name(&confirming), "confirming");
		let alice_id = account_of(&json!(ALICE)).unwrap();
		assert_eq!(alice_id[..4], [0xd4, 0x35, 0x93, 0xc7]);
		assert_eq!(account_of(&json!(to_hex(&alice_id))), Some(alice_id));
		assert_eq!(matched_provider(&confirming), Some(alice_id));
		assert!(!order_ended(&confirming));
		let finished = json!({"state": {"finished": {"pruneAt": 9}}, "provider": ALICE});
		assert!(order_ended(&finished));
		assert_eq!(matched_provider(&finished), Some(alice_id));
		assert_eq!(matched_provider(&json!({"state": {"bidding": {}}})), None);
		assert_eq!(bytes32(&to_hex(&[7u8; 32])), Some([7u8; 32]));
		assert_eq!(bytes32("0x12"), None);
	}

	#[test]
	fn numbers_are_read_from_decimal_strings_and_from_json_numbers() {
		assert_eq!(number::<u128>(&json!("5000000000000")), Some(5_000_000_000_000));
		assert_eq!(number::<u128>(&json!(5_000_000_000_000u64)), Some(5_000_000_000_000));
		// Beyond 2^64 (and 2^53): exact only as a string.
		assert_eq!(number::<u128>(&json!(u128::MAX.to_string())), Some(u128::MAX));
		assert_eq!(number::<u32>(&json!(7)), Some(7));
		assert_eq!(number::<u32>(&json!("4294967296")), None);
		for bad in [json!(null), json!("3 FST"), json!(-1), json!(1.5), json!({})] {
			assert_eq!(number::<u128>(&bad), None, "{bad}");
		}
	}

	#[test]
	fn open_orders_are_read_as_the_node_writes_them_and_as_older_nodes_did() {
		// The node now: balances as decimal strings, the package hash as hex.
		let order = json!({
			"orderId": 12,
			"customer": ALICE,
			"level": 1,
			"maxUnitPrice": "340282366920938463463374607431768211455",
			"prepay": "30000000000000",
			"paid": "0",
			"refunded": "0",
			"unitPrice": null,
			"packageHash": to_hex(&[1; 32]),
			"state": {"bidding": {"biddingEnds": 5}},
		});
		let expected = OpenOrder { order_id: 12, level: 1, max_unit_price: u128::MAX };
		assert_eq!(OpenOrder::from_json(&order).unwrap(), expected);
		// Older nodes: JSON numbers.
		let older = json!({"orderId": 12, "level": 1, "maxUnitPrice": 3_000_000_000_000u64});
		assert_eq!(OpenOrder::from_json(&older).unwrap().max_unit_price, 3_000_000_000_000);
		// A missing or unreadable maximum is an error, never "no maximum".
		assert!(OpenOrder::from_json(&json!({"orderId": 12, "level": 1})).is_err());
		let garbled = json!({"orderId": 12, "level": 1, "maxUnitPrice": "lots"});
		assert!(OpenOrder::from_json(&garbled).is_err());
	}
}
