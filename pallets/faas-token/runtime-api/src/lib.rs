//! Runtime API of the DeFaaS FaaS token pallet.
//!
//! `FaasTokenApi::eras` returns the issuance history the runtime keeps: the era in progress and
//! the last `ErasToKeep` closed eras, each with what reward minting created and what slashing
//! took (burned, or paid to the slash destination or to customers as compensation). Clients
//! call it with `state_call("FaasTokenApi_eras", "0x")`; with metadata V15 (`@polkadot/api`,
//! `subxt`) it is typed as `api.call.faasTokenApi.eras()`.

#![cfg_attr(not(feature = "std"), no_std)]

use codec::Codec;

pub use pallet_faas_token::{EraHistory, EraIndex, EraInfo, EraTotal};

sp_api::decl_runtime_apis! {
	/// Queries of the FaaS token.
	pub trait FaasTokenApi<Balance, BlockNumber>
	where
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// The era in progress and the closed eras still kept, oldest first.
		fn eras() -> EraHistory<BlockNumber, Balance>;
	}
}
