//! JSON-RPC of the DeFaaS witness pool: the `defaas_*` methods as one jsonrpsee trait, from which
//! both the node's server (feature `server`, answered from the runtime's `WitnessPoolApi` at the
//! best block or at the block given as the last parameter) and the typed client
//! ([`WitnessPoolApiClient`], used by `defaas-client`) are generated. Every 128-bit value
//! (stakes, VRF outputs and thresholds) is a decimal string in the JSON.

// Only the server's trait keeps `RpcResult`; the client-only macro rewrites the return types.
#[cfg(feature = "server")]
use jsonrpsee::core::RpcResult;
use jsonrpsee::proc_macros::rpc;
pub use pallet_witness_pool_runtime_api::{
	MemberView, OpenRound, OrderId, RoundPhase, RoundView, Verdict, WitnessView,
};

/// The witness pool's JSON-RPC methods.
// Balances are decimal strings in the JSON: the views need `Display`/`FromStr`, not serde.
#[cfg_attr(
	feature = "server",
	rpc(
		client,
		server,
		client_bounds(
			BlockHash: serde::Serialize + Clone + Send + Sync + 'static,
			AccountId: serde::Serialize + serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
			Balance: core::fmt::Display + core::str::FromStr + Clone + Send + Sync + 'static,
			BlockNumber: serde::de::DeserializeOwned + Clone + Send + Sync + 'static
		),
		server_bounds(
			BlockHash: serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
			AccountId: serde::Serialize + serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
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
			Balance: core::fmt::Display + core::str::FromStr + Clone + Send + Sync + 'static,
			BlockNumber: serde::de::DeserializeOwned + Clone + Send + Sync + 'static
		)
	)
)]
pub trait WitnessPoolApi<BlockHash, AccountId, Balance, BlockNumber> {
	/// A registered witness: stake, VRF key, reputation, activation, seats.
	#[method(name = "defaas_witness")]
	fn witness(
		&self,
		who: AccountId,
		at: Option<BlockHash>,
	) -> RpcResult<Option<WitnessView<AccountId, Balance, BlockNumber>>>;

	/// The committee of one round of an order's lease.
	#[method(name = "defaas_committee")]
	fn committee(
		&self,
		order_id: OrderId,
		round: u32,
		at: Option<BlockHash>,
	) -> RpcResult<Option<Vec<AccountId>>>;

	/// One round: phase, seed, windows, members with commit/reveal status, verdict.
	#[method(name = "defaas_round")]
	fn round(
		&self,
		order_id: OrderId,
		round: u32,
		at: Option<BlockHash>,
	) -> RpcResult<Option<RoundView<AccountId, BlockNumber>>>;

	/// Every round that is not settled yet.
	#[method(name = "defaas_openRounds")]
	fn open_rounds(&self, at: Option<BlockHash>) -> RpcResult<Vec<OpenRound<BlockNumber>>>;
}

#[cfg(feature = "server")]
pub use server::WitnessPool;

#[cfg(feature = "server")]
mod server {
	use super::*;
	use codec::Codec;
	use jsonrpsee::types::{error::ErrorObject, ErrorObjectOwned};
	use pallet_witness_pool_runtime_api::WitnessPoolApi as WitnessPoolRuntimeApi;
	use serde::{de::DeserializeOwned, Serialize};
	use sp_api::ProvideRuntimeApi;
	use sp_blockchain::HeaderBackend;
	use sp_runtime::traits::Block as BlockT;
	use std::sync::Arc;

	/// Serves [`WitnessPoolApiServer`] from a client's runtime API.
	pub struct WitnessPool<C, Block> {
		client: Arc<C>,
		_block: std::marker::PhantomData<Block>,
	}

	impl<C, Block> WitnessPool<C, Block> {
		/// Creates the RPC handler.
		pub fn new(client: Arc<C>) -> Self {
			Self { client, _block: Default::default() }
		}
	}

	/// The runtime call failed (unknown block, runtime without the witness pool API, ...).
	const RUNTIME_ERROR: i32 = 1;

	fn runtime_error(error: impl ToString) -> ErrorObjectOwned {
		ErrorObject::owned(
			RUNTIME_ERROR,
			"witness pool runtime API call failed",
			Some(error.to_string()),
		)
	}

	impl<C, Block, AccountId, Balance, BlockNumber>
		WitnessPoolApiServer<<Block as BlockT>::Hash, AccountId, Balance, BlockNumber>
		for WitnessPool<C, Block>
	where
		Block: BlockT,
		C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
		C::Api: WitnessPoolRuntimeApi<Block, AccountId, Balance, BlockNumber>,
		AccountId: Codec + Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
		Balance: Codec + Send + Sync + core::fmt::Display + core::str::FromStr + 'static,
		BlockNumber: Codec + Send + Sync + Serialize + DeserializeOwned + 'static,
	{
		fn witness(
			&self,
			who: AccountId,
			at: Option<Block::Hash>,
		) -> RpcResult<Option<WitnessView<AccountId, Balance, BlockNumber>>> {
			let at = at.unwrap_or_else(|| self.client.info().best_hash);
			self.client.runtime_api().witness(at, who).map_err(runtime_error)
		}

		fn committee(
			&self,
			order_id: OrderId,
			round: u32,
			at: Option<Block::Hash>,
		) -> RpcResult<Option<Vec<AccountId>>> {
			let at = at.unwrap_or_else(|| self.client.info().best_hash);
			self.client.runtime_api().committee(at, order_id, round).map_err(runtime_error)
		}

		fn round(
			&self,
			order_id: OrderId,
			round: u32,
			at: Option<Block::Hash>,
		) -> RpcResult<Option<RoundView<AccountId, BlockNumber>>> {
			let at = at.unwrap_or_else(|| self.client.info().best_hash);
			self.client.runtime_api().round(at, order_id, round).map_err(runtime_error)
		}

		fn open_rounds(&self, at: Option<Block::Hash>) -> RpcResult<Vec<OpenRound<BlockNumber>>> {
			let at = at.unwrap_or_else(|| self.client.info().best_hash);
			self.client.runtime_api().open_rounds(at).map_err(runtime_error)
		}
	}
}
