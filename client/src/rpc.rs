//! The typed `defaas_*` JSON-RPC client.
//!
//! The node serves the market's and the witness pool's methods from jsonrpsee traits
//! (`pallet_market_rpc::MarketApi`, `pallet_witness_pool_rpc::WitnessPoolApi`); jsonrpsee
//! generates a client trait from each ([`MarketApiClient`], [`WitnessPoolApiClient`]) for any
//! [`ClientT`]. [`DefaasRpc`] is that `ClientT` on top of subxt's (reconnecting) RPC client, so the
//! typed calls share the connection of the [`crate::Chain`] and follow the wire format the node
//! serves by construction.

use jsonrpsee::core::{
	client::{BatchResponse, ClientT, Error},
	params::BatchRequestBuilder,
	traits::ToRpcParams,
	DeserializeOwned,
};
use subxt::rpcs::RpcClient;

pub use pallet_market_rpc::MarketApiClient;
pub use pallet_witness_pool_rpc::WitnessPoolApiClient;

/// The block hash type of the DeFaaS chain, as the typed clients take it.
pub type BlockHash = subxt::utils::H256;

/// A jsonrpsee [`ClientT`] over subxt's RPC client: method calls only (the `defaas_*` methods
/// have no subscriptions or notifications).
#[derive(Clone)]
pub struct DefaasRpc(pub RpcClient);

fn client_error(error: subxt::rpcs::Error) -> Error {
	match error {
		subxt::rpcs::Error::User(user) => {
			Error::Call(jsonrpsee::types::ErrorObject::owned(user.code, user.message, user.data))
		},
		subxt::rpcs::Error::Deserialization(error) | subxt::rpcs::Error::Serialization(error) => {
			Error::ParseError(error)
		},
		other => Error::Custom(other.to_string()),
	}
}

#[jsonrpsee::core::async_trait]
impl ClientT for DefaasRpc {
	async fn notification<Params>(&self, method: &str, _params: Params) -> Result<(), Error>
	where
		Params: ToRpcParams + Send,
	{
		Err(Error::Custom(format!("notifications are not supported ({method})")))
	}

	async fn request<R, Params>(&self, method: &str, params: Params) -> Result<R, Error>
	where
		R: DeserializeOwned,
		Params: ToRpcParams + Send,
	{
		let params = params.to_rpc_params().map_err(Error::ParseError)?;
		let raw = self.0.request_raw(method, params).await.map_err(client_error)?;
		serde_json::from_str(raw.get()).map_err(Error::ParseError)
	}

	async fn batch_request<'a, R>(
		&self,
		_batch: BatchRequestBuilder<'a>,
	) -> Result<BatchResponse<'a, R>, Error>
	where
		R: DeserializeOwned + std::fmt::Debug + 'a,
	{
		Err(Error::Custom("batch requests are not supported".into()))
	}
}
