//! JSON-RPC of the DeFaaS market: the `defaas_*` methods as one jsonrpsee trait, from which
//! both the node's server (feature `server`, answered from the runtime's `MarketApi` at the best
//! block or at the block given as the last parameter) and the typed client
//! ([`MarketApiClient`], used by `defaas-client`) are generated — one definition of the wire
//! format. Every 128-bit value (balances) is a decimal string in the JSON.

// Only the server's trait keeps `RpcResult`; the client-only macro rewrites the return types.
#[cfg(feature = "server")]
use jsonrpsee::core::RpcResult;
use jsonrpsee::proc_macros::rpc;
pub use pallet_market_runtime_api::{
	CloseReason, LevelId, LevelInfo, NativeOrWithId, OrderId, OrderState, OrderView, ProviderView,
	Quote,
};

/// Most open orders one `defaas_openOrders` call returns.
pub const MAX_OPEN_ORDERS: u32 = 1000;

/// A FaaS level with its id, as `defaas_levels` returns it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LevelEntry {
	/// Level id (the key of the append-only level table).
	pub level_id: LevelId,
	/// The level's resources.
	#[serde(flatten)]
	pub level: LevelInfo,
}

/// The market's JSON-RPC methods.
// Balances are decimal strings in the JSON: the views need `Display`/`FromStr`, not serde.
#[cfg_attr(
	feature = "server",
	rpc(
		client,
		server,
		client_bounds(
			BlockHash: serde::Serialize + Clone + Send + Sync + 'static,
			AccountId: serde::Serialize + serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
			AssetKind: serde::Serialize + serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
			Balance: core::fmt::Display + core::str::FromStr + Clone + Send + Sync + 'static,
			BlockNumber: serde::de::DeserializeOwned + Clone + Send + Sync + 'static
		),
		server_bounds(
			BlockHash: serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
			AccountId: serde::Serialize + serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
			AssetKind: serde::Serialize + serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
			Balance: core::fmt::Display + core::str::FromStr + Clone + Send + Sync + 'static,
			BlockNumber: serde::Serialize + Clone + Send + Sync + 'static
		)
	)
)]
#[cfg_attr(
	not(feature = "server"),
	rpc(
		client,
		client_bounds(
			BlockHash: serde::Serialize + Clone + Send + Sync + 'static,
			AccountId: serde::Serialize + serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
			AssetKind: serde::Serialize + serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
			Balance: core::fmt::Display + core::str::FromStr + Clone + Send + Sync + 'static,
			BlockNumber: serde::de::DeserializeOwned + Clone + Send + Sync + 'static
		)
	)
)]
pub trait MarketApi<BlockHash, AccountId, AssetKind, Balance, BlockNumber> {
	/// Every FaaS level, in id order.
	#[method(name = "defaas_levels")]
	fn levels(&self, at: Option<BlockHash>) -> RpcResult<Vec<LevelEntry>>;

	/// One order (live, or ended and not yet pruned).
	#[method(name = "defaas_order")]
	fn order(
		&self,
		order_id: OrderId,
		at: Option<BlockHash>,
	) -> RpcResult<Option<OrderView<AccountId, AssetKind, Balance, BlockNumber>>>;

	/// Orders whose auction is running (bidding or revealing), optionally of one level.
	#[method(name = "defaas_openOrders")]
	fn open_orders(
		&self,
		level: Option<LevelId>,
		max: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<OrderView<AccountId, AssetKind, Balance, BlockNumber>>>;

	/// A provider: stake, endpoint, levels, online status, reputation.
	#[method(name = "defaas_provider")]
	fn provider(
		&self,
		who: AccountId,
		at: Option<BlockHash>,
	) -> RpcResult<Option<ProviderView<AccountId, Balance, BlockNumber>>>;

	/// A price quote for `periods` billing periods of `level` in `asset` (FST when `null`)
	/// from recent clearing prices in that asset.
	#[method(name = "defaas_quote")]
	fn quote(
		&self,
		level: LevelId,
		periods: u32,
		asset: Option<AssetKind>,
		at: Option<BlockHash>,
	) -> RpcResult<Option<Quote<AssetKind, Balance>>>;
}

#[cfg(feature = "server")]
pub use server::Market;

#[cfg(feature = "server")]
mod server {
	use super::*;
	use codec::Codec;
	use jsonrpsee::types::{error::ErrorObject, ErrorObjectOwned};
	use pallet_market_runtime_api::MarketApi as MarketRuntimeApi;
	use serde::{de::DeserializeOwned, Serialize};
	use sp_api::ProvideRuntimeApi;
	use sp_blockchain::HeaderBackend;
	use sp_runtime::traits::Block as BlockT;
	use std::sync::Arc;

	/// Serves [`MarketApiServer`] from a client's runtime API.
	pub struct Market<C, Block> {
		client: Arc<C>,
		_block: std::marker::PhantomData<Block>,
	}

	impl<C, Block> Market<C, Block> {
		/// Creates the RPC handler.
		pub fn new(client: Arc<C>) -> Self {
			Self { client, _block: Default::default() }
		}
	}

	/// The runtime call failed (unknown block, runtime without the market API, ...).
	const RUNTIME_ERROR: i32 = 1;

	fn runtime_error(error: impl ToString) -> ErrorObjectOwned {
		ErrorObject::owned(RUNTIME_ERROR, "market runtime API call failed", Some(error.to_string()))
	}

	impl<C, Block, AccountId, AssetKind, Balance, BlockNumber>
		MarketApiServer<<Block as BlockT>::Hash, AccountId, AssetKind, Balance, BlockNumber>
		for Market<C, Block>
	where
		Block: BlockT,
		C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
		C::Api: MarketRuntimeApi<Block, AccountId, AssetKind, Balance, BlockNumber>,
		AccountId: Codec + Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
		AssetKind: Codec + Clone + Default + Send + Sync + Serialize + DeserializeOwned + 'static,
		Balance: Codec + Send + Sync + core::fmt::Display + core::str::FromStr + 'static,
		BlockNumber: Codec + Send + Sync + Serialize + DeserializeOwned + 'static,
	{
		fn levels(&self, at: Option<Block::Hash>) -> RpcResult<Vec<LevelEntry>> {
			let at = at.unwrap_or_else(|| self.client.info().best_hash);
			let levels = self.client.runtime_api().levels(at).map_err(runtime_error)?;
			Ok(levels.into_iter().map(|(level_id, level)| LevelEntry { level_id, level }).collect())
		}

		fn order(
			&self,
			order_id: OrderId,
			at: Option<Block::Hash>,
		) -> RpcResult<Option<OrderView<AccountId, AssetKind, Balance, BlockNumber>>> {
			let at = at.unwrap_or_else(|| self.client.info().best_hash);
			self.client.runtime_api().order(at, order_id).map_err(runtime_error)
		}

		fn open_orders(
			&self,
			level: Option<LevelId>,
			max: Option<u32>,
			at: Option<Block::Hash>,
		) -> RpcResult<Vec<OrderView<AccountId, AssetKind, Balance, BlockNumber>>> {
			let at = at.unwrap_or_else(|| self.client.info().best_hash);
			let max = max.unwrap_or(MAX_OPEN_ORDERS).min(MAX_OPEN_ORDERS);
			self.client.runtime_api().open_orders(at, level, max).map_err(runtime_error)
		}

		fn provider(
			&self,
			who: AccountId,
			at: Option<Block::Hash>,
		) -> RpcResult<Option<ProviderView<AccountId, Balance, BlockNumber>>> {
			let at = at.unwrap_or_else(|| self.client.info().best_hash);
			self.client.runtime_api().provider(at, who).map_err(runtime_error)
		}

		fn quote(
			&self,
			level: LevelId,
			periods: u32,
			asset: Option<AssetKind>,
			at: Option<Block::Hash>,
		) -> RpcResult<Option<Quote<AssetKind, Balance>>> {
			let at = at.unwrap_or_else(|| self.client.info().best_hash);
			// The default asset kind is FST (`NativeOrWithId::Native`).
			let asset = asset.unwrap_or_default();
			self.client.runtime_api().quote(at, level, asset, periods).map_err(runtime_error)
		}
	}
}
