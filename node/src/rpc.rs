//! JSON-RPC of the node beyond the standard Substrate set: `system_accountNextIndex` and
//! friends (`substrate-frame-rpc-system`), `payment_queryInfo`/`payment_queryFeeDetails`
//! (`transaction_payment`), `babe_epochAuthorship` (unsafe methods only) and the `defaas_*`
//! methods of the market (`pallet-market-rpc`) and the witness pool (`pallet-witness-pool-rpc`).

#![warn(missing_docs)]

use std::sync::Arc;

use defaas_runtime::{configs::AssetKind, opaque::Block, AccountId, Balance, BlockNumber, Nonce};
use jsonrpsee::RpcModule;
use sc_consensus_babe::BabeWorkerHandle;
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};
use sp_consensus::SelectChain;
use sp_keystore::KeystorePtr;

/// What the BABE RPC needs.
pub struct BabeDeps {
	/// Handle to the BABE worker (epoch data).
	pub worker_handle: BabeWorkerHandle<Block>,
	/// The node's keystore (which of our keys author in this epoch).
	pub keystore: KeystorePtr,
}

/// What the RPC extensions need from the node.
pub struct FullDeps<C, P, SC> {
	/// The client.
	pub client: Arc<C>,
	/// The transaction pool.
	pub pool: Arc<P>,
	/// The chain selection rule (best block).
	pub select_chain: SC,
	/// BABE.
	pub babe: BabeDeps,
}

/// Builds the RPC extensions of a full node.
pub fn create_full<C, P, SC>(
	deps: FullDeps<C, P, SC>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ Send
		+ Sync
		+ 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>,
	C::Api: pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>,
	C::Api: BlockBuilder<Block>,
	C::Api: sp_consensus_babe::BabeApi<Block>,
	C::Api: pallet_market_runtime_api::MarketApi<Block, AccountId, AssetKind, Balance, BlockNumber>,
	C::Api: pallet_witness_pool_runtime_api::WitnessPoolApi<Block, AccountId, Balance, BlockNumber>,
	P: TransactionPool + 'static,
	SC: SelectChain<Block> + Clone + 'static,
{
	use pallet_market_rpc::{Market, MarketApiServer};
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use pallet_witness_pool_rpc::{WitnessPool, WitnessPoolApiServer};
	use sc_consensus_babe_rpc::{Babe, BabeApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let mut module = RpcModule::new(());
	let FullDeps { client, pool, select_chain, babe } = deps;

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module.merge(
		Babe::new(client.clone(), babe.worker_handle, babe.keystore, select_chain).into_rpc(),
	)?;
	module.merge(Market::<C, Block>::new(client.clone()).into_rpc())?;
	module.merge(WitnessPool::<C, Block>::new(client).into_rpc())?;

	Ok(module)
}
