//! Coupling between the market and the SLA monitor (the witness pool): the traits and types
//! live in `defaas-primitives` so neither pallet links the other; re-exported here.

pub use defaas_primitives::{
	traits::{ProviderDirectory, SlaMonitor, SlaVerdictHandler},
	Verdict,
};
