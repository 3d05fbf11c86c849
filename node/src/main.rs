//! `defaas-node`: the DeFaaS chain node (BABE + GRANDPA, ParityDB, off-chain workers).

#![warn(missing_docs)]
// The error types of the upstream CLI/service crates (`sc_cli::Error`, `sc_service::Error`) are
// large; every Substrate node returns them as they are.
#![allow(clippy::result_large_err)]

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
