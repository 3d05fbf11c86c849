#![cfg_attr(not(feature = "std"), no_std)]
// Tests may compute freely (clippy.toml lets them unwrap, expect, panic and index).
#![cfg_attr(test, allow(clippy::arithmetic_side_effects, clippy::unreachable))]
#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

extern crate alloc;

pub mod challenge;
pub mod freivalds;
pub mod json;
pub mod probe;
pub mod salts;
pub mod schedule;

#[cfg(test)]
mod tests;

pub use probe::{
	probe_challenge, probe_health, probe_leases, report_violated, Challenge, LeaseProbe,
	ProbeFailure, ProbeOutcome,
};
pub use salts::{PendingReport, ReportKey};

/// Log target of the off-chain workers.
pub(crate) const LOG_TARGET: &str = "runtime::defaas-ocw";
