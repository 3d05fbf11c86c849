//! `defaas_*` JSON-RPC methods of the witness pool, answered from the runtime's
//! `WitnessPoolApi` at the best block (or at the block given as the last parameter).

use std::sync::Arc;

use codec::Codec;
use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{error::ErrorObject, ErrorObjectOwned},
};
use pallet_witness_pool_runtime_api::{
	OpenRound, OrderId, RoundView, WitnessPoolApi as WitnessPoolRuntimeApi, WitnessView,
};
use serde::{de::DeserializeOwned, Serialize};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_runtime::traits::Block as BlockT;

/// The witness pool's JSON-RPC methods.
#[rpc(client, server)]
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
	Balance: Codec + Send + Sync + Serialize + DeserializeOwned + 'static,
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
