//! The host's public types: deployment specs, limits, and why deploying or serving failed.

use crate::metrics::RejectReason;
use codec::{Decode, Encode};
use std::time::Duration;

/// CPU millicores per concurrent request (see [`DeploymentSpec::concurrency`]).
pub const MILLICORES_PER_SLOT: u32 = 250;

/// What a deployment may use: its order's level limits and package hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct DeploymentSpec {
	/// `blake2_256` of the package, as in the order.
	pub package_hash: [u8; 32],
	/// The order's FaaS level.
	pub level: u32,
	/// The level's memory, in MiB: the function's linear memory limit.
	pub memory_mb: u32,
	/// The level's largest package, in MiB.
	pub package_mb: u32,
	/// The level's CPU share, in millicores.
	pub cpu_millicores: u32,
}

impl DeploymentSpec {
	/// Requests of this deployment that may run at once: one per 250 millicores of the level's
	/// CPU share, at least one.
	pub fn concurrency(&self) -> usize {
		usize::try_from((self.cpu_millicores / MILLICORES_PER_SLOT).max(1)).unwrap_or(1)
	}

	/// The memory limit in bytes.
	pub fn memory_bytes(&self) -> usize {
		usize::try_from(u64::from(self.memory_mb) << 20).unwrap_or(usize::MAX)
	}
}

/// Limits and sizes of the function host.
#[derive(Clone, Debug)]
pub struct HostLimits {
	/// CPU time a request may use (default 1 s).
	pub cpu_budget: Duration,
	/// Wall time a request may take, response body included (default 10 s).
	pub wall_time: Duration,
	/// Largest response body, in bytes (default 16 MiB).
	pub max_response_bytes: u64,
	/// How long a request waits for a free concurrency slot before `503` (default 100 ms).
	pub queue_wait: Duration,
	/// Function instances that may exist at once over all deployments: sizes the pooling
	/// allocator (default 100).
	pub max_instances: u32,
	/// The largest memory of any level served, in MiB: the pool's memory slot size
	/// (default 4096).
	pub max_memory_mb: u32,
	/// Whether functions may send outgoing HTTP requests (`wasi:http/outgoing-handler`); off
	/// by default. When on, they reach any address the daemon reaches — including the node's
	/// RPC and the daemon itself on loopback — so enable it only behind egress filtering.
	pub outgoing_http: bool,
	/// Whether a new deployment is served first from the baseline compiler's code (Winch,
	/// several times faster to compile) while the optimizing compiler (Cranelift) runs in the
	/// background, its code swapped in when ready (default on; see [`Tier`]).
	pub baseline_compiler: bool,
}

/// Which compiler produced the code a deployment runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
	/// Winch, wasmtime's baseline compiler: a single pass, about four times faster to compile
	/// than Cranelift, slower code. A new deployment answers from it at once.
	Baseline,
	/// Cranelift, the optimizing compiler: the code every deployment ends up with, and the only
	/// one stored (restores deserialize it).
	Optimized,
}

impl Tier {
	/// The metrics label.
	pub fn as_str(self) -> &'static str {
		match self {
			Self::Baseline => "baseline",
			Self::Optimized => "optimized",
		}
	}
}

impl Default for HostLimits {
	fn default() -> Self {
		Self {
			cpu_budget: Duration::from_secs(1),
			wall_time: Duration::from_secs(10),
			max_response_bytes: 16 << 20,
			queue_wait: Duration::from_millis(100),
			max_instances: 100,
			max_memory_mb: 4096,
			outgoing_http: false,
			baseline_compiler: true,
		}
	}
}

/// Why a package cannot be deployed.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
	/// Not a WebAssembly component, or one that does not export
	/// `wasi:http/incoming-handler` (or imports what the host does not provide).
	#[error("invalid component: {0}")]
	InvalidComponent(String),
	/// The host could not serialize or set up a component it compiled.
	#[error("function host error: {0}")]
	Internal(String),
}

/// Why a function request got no (complete) answer from the function. Its `Display` is the
/// text body sent to the client.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
	/// No deployment for the order.
	#[error("no function deployed for this order")]
	UnknownOrder,
	/// Every concurrency slot of the deployment is taken.
	#[error("function busy: concurrency limit reached")]
	Busy,
	/// The CPU budget ran out.
	#[error("function trapped: cpu time limit exceeded")]
	CpuTime,
	/// The memory limit was hit.
	#[error("function trapped: memory limit exceeded")]
	Memory,
	/// The wall-time limit passed.
	#[error("function timed out: wall time limit exceeded")]
	WallTime,
	/// The response announced a body larger than the cap.
	#[error("function response too large: more than {0} bytes")]
	ResponseTooLarge(u64),
	/// The function trapped or broke the `wasi:http` contract.
	#[error("function trapped: {0}")]
	Trap(String),
	/// The host failed.
	#[error("function host error: {0}")]
	Internal(String),
}

impl Rejection {
	/// The HTTP status answered for this rejection.
	pub fn status(&self) -> u16 {
		match self {
			Self::UnknownOrder => 404,
			Self::Busy | Self::CpuTime => 503,
			Self::WallTime => 504,
			Self::Memory | Self::ResponseTooLarge(_) | Self::Trap(_) | Self::Internal(_) => 500,
		}
	}

	/// The metrics reason, if this rejection is counted.
	pub fn reason(&self) -> Option<RejectReason> {
		Some(match self {
			Self::UnknownOrder => RejectReason::UnknownOrder,
			Self::Busy => RejectReason::Concurrency,
			Self::CpuTime => RejectReason::CpuTime,
			Self::Memory => RejectReason::Memory,
			Self::WallTime => RejectReason::WallTime,
			Self::ResponseTooLarge(_) => RejectReason::ResponseTooLarge,
			Self::Trap(_) => RejectReason::Trap,
			Self::Internal(_) => return None,
		})
	}
}
