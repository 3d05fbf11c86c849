//! The DeFaaS provider daemon (DESIGN §8).
//!
//! Function host and HTTP side:
//! - [`host`]: the wasmtime function host (limits, pre-instantiated components, restore);
//! - [`store`]: the durable state (deployments, compiled artifacts, bids) in redb;
//! - [`server`]: the HTTP server (functions, health, capacity challenge, `/healthz`,
//!   `/metrics`, deployment API);
//! - [`deploy`]: the authenticated deployment API and the [`deploy::OrderSource`] it checks;
//! - [`auth`]: the deployment signature shared with the CLI;
//! - [`metrics`]: Prometheus metrics.
//!
//! Chain side:
//! - [`config`]: the configuration file (levels, prices, capacities, limits);
//! - [`chain`]: JSON-RPC reads and signed submissions (subxt), the [`deploy::OrderSource`] over
//!   RPC;
//! - [`bidder`]: the bid engine following finalized blocks.

pub mod auth;
pub mod bidder;
pub mod chain;
pub mod config;
pub mod deploy;
pub mod host;
pub mod metrics;
pub mod server;
pub mod store;
