//! `defaas-client`: the one way std code (the `defaas` CLI, the provider daemon, the tests)
//! talks to a DeFaaS node.
//!
//! - [`Chain`]: a subxt client over a **reconnecting** JSON-RPC connection (calls and block
//!   subscriptions resume after a node restart) with **tracked transactions**: a submitted
//!   transaction is followed by hash until it is in a block, and if the connection drops on the
//!   way it is looked up in the blocks since, or submitted again — never applied twice (its
//!   nonce makes a second copy invalid).
//! - [`rpc`]: the typed `defaas_*` client, generated from the same jsonrpsee traits the node
//!   serves (`pallet-market-rpc`, `pallet-witness-pool-rpc`), over that same connection.
//! - [`views`]: the order, provider, witness and round views (the pallets' own types with
//!   SS58 accounts) and helpers to describe them.
//! - [`market`]: the arguments of the market's calls (one builder for every caller).
//! - [`config`]: the chain's subxt configuration (fees payable in a payment asset).
//! - [`amount`]: FST amounts; [`accounts`]: secret URIs, SS58 addresses.
//!
//! The protocol behind these calls is described in `docs/architecture.md`.

#![warn(missing_docs)]

pub mod accounts;
pub mod amount;
pub mod chain;
pub mod config;
pub mod market;
pub mod rpc;
pub mod views;

pub use chain::{Chain, Events, Pending};
pub use config::{AssetKind, DefaasConfig};
pub use subxt;
pub use subxt_signer;
