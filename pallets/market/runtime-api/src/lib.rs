//! Runtime API of the DeFaaS market pallet.
//!
//! The node exposes it over JSON-RPC as `defaas_levels`, `defaas_order`, `defaas_openOrders`,
//! `defaas_provider` and `defaas_quote` (see the pallet's README for request/response examples).
//! The view types live in `pallet-market` and are re-exported here; they implement SCALE and,
//! for the node's JSON-RPC layer, serde (camelCase field names).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;

pub use pallet_market::{
	CloseReason, LevelId, LevelInfo, NativeOrWithId, OrderId, OrderState, OrderView, ProviderView,
	Quote,
};

sp_api::decl_runtime_apis! {
	/// Queries of the DeFaaS market.
	///
	/// Version 2: orders and quotes carry their payment asset (`AssetKind`); `quote` takes it.
	#[api_version(2)]
	pub trait MarketApi<AccountId, AssetKind, Balance, BlockNumber>
	where
		AccountId: Codec,
		AssetKind: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// Every FaaS level, in id order.
		fn levels() -> Vec<(LevelId, LevelInfo)>;

		/// One order, if it exists (ended orders until they are pruned).
		fn order(id: OrderId) -> Option<OrderView<AccountId, AssetKind, Balance, BlockNumber>>;

		/// Up to `max` (capped at 1000) orders whose auction is running, of `level` or of
		/// every level.
		fn open_orders(level: Option<LevelId>, max: u32) -> Vec<OrderView<AccountId, AssetKind, Balance, BlockNumber>>;

		/// One provider with its online status and reputation.
		fn provider(who: AccountId) -> Option<ProviderView<AccountId, Balance, BlockNumber>>;

		/// A price quote for `periods` billing periods of `level` in `asset` from recent
		/// clearing prices in that asset; `None` for an unknown level or one without clearing
		/// prices in `asset` yet.
		fn quote(level: LevelId, asset: AssetKind, periods: u32) -> Option<Quote<AssetKind, Balance>>;
	}
}
