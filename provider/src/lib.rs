//! The DeFaaS provider daemon (docs/architecture.md §8).
//!
//! Function host and HTTP side:
//! - [`host`]: the wasmtime function host (limits, pre-instantiated components);
//! - [`store`]: the durable state (deployments, compiled artifacts, bids) in redb;
//! - [`restore`]: serving the stored deployments again at start-up;
//! - [`app`]: the state the HTTP handlers share;
//! - [`http`]: response builders, bounded body reading, discarding refused bodies;
//! - [`server`]: the HTTP server (functions, health, capacity challenge, `/healthz`,
//!   `/metrics`, deployment API) and its drain at shutdown;
//! - [`deploy`]: the authenticated deployment API;
//! - [`orders`]: what the deployment API asks about an order, and the [`orders::OrderSource`]
//!   it asks;
//! - [`auth`]: signing and verifying the deployment message of [`defaas_primitives::deploy`];
//! - [`metrics`]: Prometheus metrics;
//! - [`challenge_answer`]: the capacity challenge's answer (single host and pool worker).
//!
//! Computing pool ([`pool`], docs/architecture.md §13): the gateway (forwards requests and
//! deployments to workers over NATS) and the worker (a function host behind NATS).
//!
//! Chain side:
//! - [`config`]: the configuration file (levels, prices, capacities, limits);
//! - [`chain`]: JSON-RPC reads and signed submissions (subxt), the [`orders::OrderSource`] over
//!   RPC;
//! - [`bidder`]: the bid engine following finalized blocks.
//!
//! Process:
//! - [`daemon`]: the server, the bid engine and the store together, and their shutdown;
//! - [`shutdown`]: the shutdown signal;
//! - [`logger`]: the stderr log (RFC 3339 timestamps).
//!
//! Modules depend on each other without cycles: `metrics`, `config`, `shutdown`, `logger` and
//! `auth` on no other module; `host` on `metrics`; `store` and `orders` on `host`; `restore` on
//! `host` and `store`; `http` on `host`; `challenge_answer` on `host` and `http`; `pool` on
//! `challenge_answer`, `config`, `host`, `http`, `shutdown` and `store`; `app` on `config`,
//! `host`, `store`, `metrics`, `orders` and `pool`; `deploy` on `app`, `auth`, `host`, `http`
//! and `store`; `server` on `app`, `challenge_answer`, `deploy`, `host`, `http`, `metrics` and
//! `shutdown`; `chain` on `orders`; `bidder` on `chain`, `config`, `host`, `pool`, `shutdown`
//! and `store`; `daemon` on `app`, `bidder`, `server`, `shutdown` and `store` (checked by
//! `tests/daemon/module_graph.rs`).

pub mod app;
pub mod auth;
pub mod bidder;
pub mod chain;
pub mod challenge_answer;
pub mod config;
pub mod daemon;
pub mod deploy;
pub mod host;
pub mod http;
pub mod logger;
pub mod metrics;
pub mod orders;
pub mod pool;
pub mod restore;
pub mod server;
pub mod shutdown;
pub mod store;
