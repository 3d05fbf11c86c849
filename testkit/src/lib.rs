//! `defaas-testkit` (dev only): everything the end-to-end tests share.
//!
//! - [`node`]: real `defaas-node` processes on ports they bind themselves (read back from the
//!   node, never bound and released by the kit), restarted on the same ports;
//! - [`network`]: a dev node and the four-validator `local_testnet` network;
//! - [`steps`]: scenario steps (keys, funds, witnesses, providers, auctions, balances, events);
//! - [`functions`]: the Python and JavaScript example functions, built by their own tooling;
//! - [`pool`]: a NATS server, network namespaces as test hosts, pool worker processes;
//! - [`bins`]: the `defaas` CLI as a subprocess and the workspace binaries;
//! - [`recorder`]: a recording HTTP server standing in for a provider daemon;
//! - [`wait`]: condition polling with deadlines;
//! - [`web`]: a static web server and a relay that takes a node away for a browser test.
//!
//! The end-to-end tests run one shared network per test binary; see `docs/architecture.md` §15.

#![warn(missing_docs)]

pub mod bins;
pub mod daemon;
pub mod functions;
pub mod network;
pub mod node;
pub mod pool;
pub mod recorder;
pub mod steps;
pub mod wait;
pub mod web;

pub use daemon::{Daemon, Offer};
pub use defaas_client::{self as client, Chain};
pub use network::{dev_node, LocalNetwork};
pub use node::Node;
