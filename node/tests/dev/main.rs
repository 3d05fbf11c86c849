//! End-to-end tests that each run their own single `defaas-node` (dev chain, chain specs,
//! polkadot.js, the market and witness flows, a provider daemon's restart), in one test binary so
//! that they run in parallel: they mostly wait for blocks, and one after the other they would
//! take the sum of their durations (≈ 10 minutes) instead of the longest (≈ 5.5 minutes).
//!
//! The four-validator networks (`worker_network`, `provider_network`, the zombienet crate) are
//! separate binaries: cargo runs test binaries one after the other, so they never overlap.

#[path = "../common/mod.rs"]
mod common;

mod chain_spec;
mod dev_chain;
mod market_flow;
mod polkadot_js;
mod provider_restart;
mod witness_flow;
