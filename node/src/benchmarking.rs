//! What `defaas-node benchmark overhead` needs from the node: signed `System::remark`
//! extrinsics from a funded dev account and the inherent data of an empty block.
//!
//! The measured base weights of a block and of an extrinsic are written to
//! `runtime/src/weights/{block,extrinsic}_weights.rs` (docs/benchmarks.md).

use std::sync::Arc;

use codec::Encode;
use defaas_runtime as runtime;
use frame_benchmarking_cli::ExtrinsicBuilder;
use sp_core::Pair;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{generic::Era, OpaqueExtrinsic};

use crate::service::FullClient;

/// Builds `System::remark` extrinsics signed by Alice, the extrinsic the overhead benchmark
/// fills blocks with.
pub struct RemarkBuilder {
	client: Arc<FullClient>,
}

impl RemarkBuilder {
	/// A builder for the chain `client` reads.
	pub fn new(client: Arc<FullClient>) -> Self {
		Self { client }
	}
}

impl ExtrinsicBuilder for RemarkBuilder {
	fn pallet(&self) -> &str {
		"system"
	}

	fn extrinsic(&self) -> &str {
		"remark"
	}

	fn build(&self, nonce: u32) -> Result<OpaqueExtrinsic, &'static str> {
		let call: runtime::RuntimeCall = frame_system::Call::remark { remark: Vec::new() }.into();
		Ok(signed_by_alice(&self.client, call, nonce).into())
	}
}

/// `call` signed by Alice with `nonce`, immortal, no tip, against the client's genesis.
fn signed_by_alice(
	client: &FullClient,
	call: runtime::RuntimeCall,
	nonce: u32,
) -> runtime::UncheckedExtrinsic {
	use sp_blockchain::HeaderBackend as _;
	let genesis = client.info().genesis_hash;
	let pair = Sr25519Keyring::Alice.pair();
	let extension = runtime::tx_extension(Era::Immortal, nonce, 0);
	let implicit = (
		(),
		(),
		runtime::VERSION.spec_version,
		runtime::VERSION.transaction_version,
		genesis,
		genesis,
		(),
		(),
		(),
		None,
		(),
	);
	let payload = runtime::SignedPayload::from_raw(call.clone(), extension.clone(), implicit);
	let signature = payload.using_encoded(|bytes| pair.sign(bytes));
	runtime::UncheckedExtrinsic::new_signed(
		call,
		sp_runtime::AccountId32::from(pair.public()).into(),
		runtime::Signature::Sr25519(signature),
		extension,
	)
}

/// The inherent data of a benchmark block: the timestamp at slot 0, which BABE accepts for
/// blocks built on genesis without a pre-digest.
pub fn inherent_benchmark_data() -> Result<sp_inherents::InherentData, sc_cli::Error> {
	let mut data = sp_inherents::InherentData::new();
	data.put_data(sp_timestamp::INHERENT_IDENTIFIER, &sp_timestamp::Timestamp::new(0))
		.map_err(|e| format!("creating the timestamp inherent: {e:?}"))?;
	Ok(data)
}
