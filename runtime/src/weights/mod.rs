//! Weights measured on this project's machine by the node's benchmark CLI (commands in
//! `docs/benchmarks.md`): Substrate's pallets and the transaction extensions every extrinsic
//! passes (`benchmark pallet`), the base weights of a block
//! and of an extrinsic (`benchmark overhead`) and one read and one write of the state database
//! (`benchmark storage`). The DeFaaS pallets keep theirs in their own `weights.rs`.

pub mod block_weights;
pub mod extrinsic_weights;
pub mod frame_system_extensions;
pub mod pallet_asset_conversion;
pub mod pallet_asset_conversion_tx_payment;
pub mod pallet_assets;
pub mod pallet_balances;
pub mod pallet_migrations;
pub mod pallet_transaction_payment;
pub mod paritydb_weights;
