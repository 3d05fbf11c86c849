//! The subxt configuration of the DeFaaS chain: polkadot-sdk's standard types, and the fee
//! asset of `ChargeAssetTxPayment` as the runtime names it (`NativeOrWithId<u32>`), so a signer
//! may pay its fees in a payment asset instead of FST.

use crate::views::PaymentAsset;
use subxt::{
	config::{
		substrate::{SubstrateConfig, SubstrateHeader},
		Config, DefaultTransactionExtensions, HashFor, Hasher,
	},
	ext::{scale_decode::DecodeAsType, scale_encode::EncodeAsType},
	metadata::ArcMetadata,
	utils::{AccountId32, MultiAddress, MultiSignature},
};

/// The chain's subxt configuration. Addresses carry no account index (`MultiAddress<_, ()>`);
/// hashes, headers and signatures are polkadot-sdk's defaults.
#[derive(Debug, Clone, Default)]
pub struct DefaasConfig(SubstrateConfig);

impl Config for DefaasConfig {
	type AccountId = AccountId32;
	type Address = MultiAddress<AccountId32, ()>;
	type Signature = MultiSignature;
	type Hasher = <SubstrateConfig as Config>::Hasher;
	type Header = SubstrateHeader<<Self::Hasher as Hasher>::Hash>;
	type TransactionExtensions = DefaultTransactionExtensions<Self>;
	type AssetId = AssetKind;

	fn genesis_hash(&self) -> Option<HashFor<Self>> {
		self.0.genesis_hash()
	}

	fn spec_and_transaction_version_for_block_number(
		&self,
		block_number: u64,
	) -> Option<(u32, u32)> {
		self.0.spec_and_transaction_version_for_block_number(block_number)
	}

	fn metadata_for_spec_version(&self, spec_version: u32) -> Option<ArcMetadata> {
		self.0.metadata_for_spec_version(spec_version)
	}

	fn set_metadata_for_spec_version(&self, spec_version: u32, metadata: ArcMetadata) {
		self.0.set_metadata_for_spec_version(spec_version, metadata)
	}
}

/// The asset a transaction's fee (and tip) is paid in: the `asset_id` of the runtime's
/// `ChargeAssetTxPayment` extension. It is [`PaymentAsset`] with the scale-info aware
/// encoding subxt asks of an asset id (same variants, same SCALE layout); convert with
/// `From`. The runtime swaps the asset to FST in its FST/asset pool to pay the fee.
#[derive(Clone, Copy, Debug, PartialEq, Eq, codec::Encode, EncodeAsType, DecodeAsType)]
#[encode_as_type(crate_path = "subxt::ext::scale_encode")]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
pub enum AssetKind {
	/// FST, the native token.
	Native,
	/// The asset with this id in `pallet-assets`.
	WithId(u32),
}

impl From<PaymentAsset> for AssetKind {
	fn from(asset: PaymentAsset) -> Self {
		match asset {
			PaymentAsset::Native => AssetKind::Native,
			PaymentAsset::WithId(id) => AssetKind::WithId(id),
		}
	}
}

impl From<AssetKind> for PaymentAsset {
	fn from(asset: AssetKind) -> Self {
		match asset {
			AssetKind::Native => PaymentAsset::Native,
			AssetKind::WithId(id) => PaymentAsset::WithId(id),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use codec::Encode;

	#[test]
	fn a_fee_asset_encodes_as_the_runtime_asset_kind() {
		for asset in [PaymentAsset::Native, PaymentAsset::WithId(1), PaymentAsset::WithId(u32::MAX)]
		{
			let fee = AssetKind::from(asset.clone());
			assert_eq!(fee.encode(), asset.encode());
			assert_eq!(PaymentAsset::from(fee), asset);
		}
	}
}
