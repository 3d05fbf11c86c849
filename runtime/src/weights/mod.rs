//! Weights of Substrate's pallets measured on this project's machine by
//! `defaas-node benchmark pallet` (command in `docs/benchmarks.md`). The DeFaaS pallets keep
//! theirs in their own `weights.rs`.

pub mod pallet_balances;
