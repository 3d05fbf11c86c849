//! Runtime API of the DeFaaS witness pool.
//!
//! The node exposes it over JSON-RPC as `defaas_witness`, `defaas_committee` and `defaas_round`
//! (see the pallet's README for request/response examples); the witness's off-chain worker and
//! clients use `open_rounds` to find the rounds whose join window is open. The view types live in
//! `pallet-witness-pool` and are re-exported here; they implement SCALE and, for the node's
//! JSON-RPC layer, serde (camelCase field names).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;

pub use pallet_witness_pool::{
	MemberView, OpenRound, OrderId, RoundPhase, RoundView, Verdict, WitnessView,
};

sp_api::decl_runtime_apis! {
	/// Queries of the DeFaaS witness pool.
	pub trait WitnessPoolApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// One registered witness: stake, VRF key, reputation, activation, seats.
		fn witness(who: AccountId) -> Option<WitnessView<AccountId, Balance, BlockNumber>>;

		/// The committee of round `round` of order `order_id` (joined members by VRF output,
		/// then seeded ones), if the round is known.
		fn committee(order_id: OrderId, round: u32) -> Option<Vec<AccountId>>;

		/// Round `round` of order `order_id`: phase, seed, windows, members with their commit
		/// and reveal status, verdict.
		fn round(order_id: OrderId, round: u32) -> Option<RoundView<AccountId, BlockNumber>>;

		/// Every round that is not settled yet (for off-chain workers and clients).
		fn open_rounds() -> Vec<OpenRound<BlockNumber>>;
	}
}
