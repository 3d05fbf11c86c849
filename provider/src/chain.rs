//! The daemon's view of the chain, through `defaas-client`: the typed `defaas_*` views at a
//! finalized (or the best) block, and signed submissions. The connection re-establishes itself
//! when the node restarts (calls made meanwhile wait for it), and a submission is tracked by hash
//! across such a restart, so a pending bid is still revealed.

use crate::orders::{OrderFacts, OrderFuture, OrderSource};
use anyhow::Context;
use defaas_client::{
	accounts,
	subxt::{
		dynamic::Value as DynValue,
		rpcs::rpc_params,
		utils::{AccountId32, H256},
	},
	subxt_signer::sr25519::Keypair,
	views::{self, LevelEntry, OrderView, ProviderView},
};
use defaas_primitives::json::to_hex;

/// Key type of the provider's heartbeat key in the node's keystore (`pallet-market`).
pub const HEARTBEAT_KEY_TYPE: &str = "prov";

/// A connection to one node, signing as the provider.
#[derive(Clone)]
pub struct Chain {
	client: defaas_client::Chain,
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
		let signer = accounts::keypair(suri)?;
		let client = defaas_client::Chain::connect(url).await?;
		Ok(Self { client, signer, suri: suri.to_string() })
	}

	/// This connection, paying the fees of its transactions in `asset` (see
	/// [`defaas_client::Chain::paying_fees_in`]).
	pub fn paying_fees_in(self, asset: views::PaymentAsset) -> Self {
		Self { client: self.client.paying_fees_in(asset), ..self }
	}

	/// The provider's account.
	pub fn account(&self) -> [u8; 32] {
		self.signer.public_key().0
	}

	/// The provider's account in SS58.
	pub fn account_ss58(&self) -> String {
		AccountId32(self.account()).to_string()
	}

	/// The best block.
	pub async fn best_head(&self) -> anyhow::Result<Head> {
		let (hash, number) = self.client.best().await?;
		Ok(Head { number: u64::from(number), hash })
	}

	/// The latest finalized block.
	pub async fn finalized_head(&self) -> anyhow::Result<Head> {
		let (hash, number) = self.client.finalized().await?;
		Ok(Head { number: u64::from(number), hash })
	}

	/// `defaas_order` at `at` (the best block if `None`).
	pub async fn order(
		&self,
		order_id: u64,
		at: Option<H256>,
	) -> anyhow::Result<Option<OrderView>> {
		self.client.order_at(order_id, at).await
	}

	/// The bids stored for `order_id` at block `at` (`Market.Bids`).
	pub async fn bids(
		&self,
		order_id: u64,
		at: H256,
	) -> anyhow::Result<Vec<defaas_client::chain::BidOnChain>> {
		self.client.bids_at(order_id, at).await
	}

	/// `defaas_openOrders` at `at`: orders whose auction runs.
	pub async fn open_orders(&self, at: Option<H256>) -> anyhow::Result<Vec<OrderView>> {
		self.client.open_orders(None, Some(1000), at).await
	}

	/// What payment asset `asset` is called and its decimals (`None`: no such asset).
	pub async fn asset_info(
		&self,
		asset: &views::PaymentAsset,
	) -> anyhow::Result<Option<defaas_client::chain::AssetInfo>> {
		self.client.asset_info(asset).await
	}

	/// `defaas_levels`.
	pub async fn levels(&self) -> anyhow::Result<Vec<LevelEntry>> {
		self.client.levels().await
	}

	/// `defaas_provider` of this provider.
	pub async fn provider(&self) -> anyhow::Result<Option<ProviderView>> {
		self.client.provider(&AccountId32(self.account())).await
	}

	/// Puts the provider's key into the node's keystore as its `prov` heartbeat key, so the
	/// node's off-chain worker sends the heartbeats (needs the node's unsafe RPC methods).
	pub async fn insert_heartbeat_key(&self) -> anyhow::Result<()> {
		let public = to_hex(&self.account());
		let _: serde_json::Value = self
			.client
			.rpc
			.request("author_insertKey", rpc_params![HEARTBEAT_KEY_TYPE, &self.suri, public])
			.await
			.context("author_insertKey (does the node allow unsafe RPC methods?)")?;
		Ok(())
	}

	/// Signs `pallet.call(args)` with the provider's key and hands it to the node's pool
	/// ([`Chain::send`]: several submissions may follow each other without waiting for
	/// blocks, e.g. bids on several orders in one pass). The outcome is logged when the
	/// transaction is in a block — tracked across node restarts.
	pub async fn submit(
		&self,
		pallet: &'static str,
		call: &'static str,
		args: Vec<DynValue>,
	) -> anyhow::Result<()> {
		let pending = self
			.client
			.send(&self.signer, pallet, call, args)
			.await
			.with_context(|| format!("submitting {pallet}.{call}"))?;
		tokio::spawn(async move {
			match pending.included().await {
				Ok(_) => log::info!("{pallet}.{call} included"),
				Err(e) => log::warn!("{pallet}.{call} failed: {e:#}"),
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
		let levels = self.chain.levels().await?;
		let level = levels
			.iter()
			.find(|entry| entry.level_id == order.level)
			.with_context(|| format!("level {} of order {order_id} is unknown", order.level))?;
		Ok(Some(OrderFacts {
			customer: order.customer.0,
			matched_provider: matched_provider(&order),
			package_hash: order.package_hash.0,
			ended: views::is_terminal(&order.state),
			level: order.level,
			memory_mb: level.level.memory_mb,
			package_mb: level.level.package_mb,
			cpu_millicores: level.level.cpu_millicores,
		}))
	}
}

impl OrderSource for RpcOrders {
	fn order(&self, order_id: u64) -> OrderFuture<'_> {
		Box::pin(self.facts(order_id))
	}
}

/// The provider the order is matched to: the lease's provider, or the candidate that must
/// confirm.
pub fn matched_provider(order: &OrderView) -> Option<[u8; 32]> {
	views::matched_provider(order).map(|account| account.0)
}

#[cfg(test)]
pub(crate) mod tests {
	use super::*;
	use serde_json::{json, Value};

	pub(crate) const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

	/// An order view as the node writes it, in `state`, with lease `provider`.
	pub(crate) fn order(state: Value, provider: Value) -> OrderView {
		serde_json::from_value(json!({
			"orderId": 12, "customer": ALICE, "payer": ALICE, "asset": "Native", "level": 1, "periods": 3,
			"periodLength": 20, "maxUnitPrice": "340282366920938463463374607431768211455",
			"committeeSize": 3, "packageHash": to_hex(&[1; 32]), "minReputation": 0,
			"prepay": "30000000000000", "paid": "0", "refunded": "0", "state": state, "bids": 1,
			"provider": provider, "unitPrice": null, "leaseStart": null, "settledPeriods": 0,
			"violatedPeriods": 0, "createdAt": 1
		}))
		.expect("an order view")
	}

	#[test]
	fn the_matched_provider_is_the_candidate_then_the_lease_provider() {
		let alice = accounts::parse_account(ALICE).unwrap();
		let confirming = order(
			json!({"confirming": {"candidate": ALICE, "price": "5", "confirmUntil": 9}}),
			Value::Null,
		);
		assert_eq!(matched_provider(&confirming), Some(alice));
		assert!(!views::is_terminal(&confirming.state));
		let finished = order(json!({"finished": {"pruneAt": 9}}), json!(ALICE));
		assert!(views::is_terminal(&finished.state));
		assert_eq!(matched_provider(&finished), Some(alice));
		assert_eq!(
			matched_provider(&order(json!({"bidding": {"biddingEnds": 5}}), Value::Null)),
			None
		);
		// 128-bit values are exact.
		assert_eq!(confirming.max_unit_price, u128::MAX);
	}
}
