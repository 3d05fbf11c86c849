//! The per-request store data of a function instance: WASI and `wasi:http` contexts plus the
//! resource limits (memory, CPU time) and which of them, if any, the instance ran into.

use std::fmt;
use wasmtime::{component::ResourceTable, ResourceLimiter};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{
	bindings::http::types::ErrorCode,
	body::HyperOutgoingBody,
	types::{HostFutureIncomingResponse, OutgoingRequestConfig},
	HttpResult, WasiHttpCtx, WasiHttpView,
};

/// Most instances, tables and memories one request's store may create (a Rust `wasm32-wasip2`
/// component has a handful of each).
const MAX_INSTANCES: usize = 64;
const MAX_TABLES: usize = 64;
const MAX_MEMORIES: usize = 16;

/// Most elements a table may grow to.
const MAX_TABLE_ELEMENTS: usize = 100_000;

/// A limit a function instance ran into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
	/// The CPU time budget of a request is used up.
	CpuTime,
	/// The function tried to grow its memory beyond its level's limit.
	Memory,
}

impl fmt::Display for Limit {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str(match self {
			Self::CpuTime => "cpu time limit exceeded",
			Self::Memory => "memory limit exceeded",
		})
	}
}

impl std::error::Error for Limit {}

/// Memory and CPU accounting of one store.
pub struct Limits {
	/// Bytes of linear memory the instance may use in total.
	memory_limit: usize,
	/// Bytes of linear memory the instance uses now (sum over its memories).
	memory_used: usize,
	/// Epoch ticks of guest execution left before the CPU budget is used up.
	pub cpu_ticks_left: u64,
	/// The limit the instance ran into, if any.
	pub tripped: Option<Limit>,
}

impl Limits {
	/// Limits of `memory_limit` bytes of memory and `cpu_ticks` ticks of CPU time.
	pub fn new(memory_limit: usize, cpu_ticks: u64) -> Self {
		Self { memory_limit, memory_used: 0, cpu_ticks_left: cpu_ticks, tripped: None }
	}

	/// Bytes of linear memory the instance uses now: its peak, as memories only grow.
	pub fn memory_used(&self) -> usize {
		self.memory_used
	}
}

impl ResourceLimiter for Limits {
	fn memory_growing(
		&mut self,
		current: usize,
		desired: usize,
		_maximum: Option<usize>,
	) -> anyhow::Result<bool> {
		let used = self.memory_used.saturating_sub(current).saturating_add(desired);
		if used > self.memory_limit {
			// An error (not `Ok(false)`) traps right here, so the failure is attributed to the
			// memory limit rather than to whatever the guest does after a failed allocation.
			self.tripped = Some(Limit::Memory);
			return Err(Limit::Memory.into());
		}
		self.memory_used = used;
		Ok(true)
	}

	fn table_growing(
		&mut self,
		_current: usize,
		desired: usize,
		_maximum: Option<usize>,
	) -> anyhow::Result<bool> {
		Ok(desired <= MAX_TABLE_ELEMENTS)
	}

	fn instances(&self) -> usize {
		MAX_INSTANCES
	}

	fn tables(&self) -> usize {
		MAX_TABLES
	}

	fn memories(&self) -> usize {
		MAX_MEMORIES
	}
}

/// The data of a function instance's store.
pub struct FunctionState {
	wasi: WasiCtx,
	http: WasiHttpCtx,
	table: ResourceTable,
	/// Resource accounting.
	pub limits: Limits,
	/// Whether the function may send outgoing HTTP requests.
	outgoing_http: bool,
}

impl FunctionState {
	/// A fresh state: no preopened directories, no environment, no inherited stdio; outgoing
	/// HTTP requests only if `outgoing_http`.
	pub fn new(limits: Limits, outgoing_http: bool) -> Self {
		Self {
			wasi: WasiCtx::builder().build(),
			http: WasiHttpCtx::new(),
			table: ResourceTable::new(),
			limits,
			outgoing_http,
		}
	}
}

impl WasiView for FunctionState {
	fn ctx(&mut self) -> WasiCtxView<'_> {
		WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
	}
}

impl WasiHttpView for FunctionState {
	fn ctx(&mut self) -> &mut WasiHttpCtx {
		&mut self.http
	}

	fn table(&mut self) -> &mut ResourceTable {
		&mut self.table
	}

	fn send_request(
		&mut self,
		request: hyper::Request<HyperOutgoingBody>,
		config: OutgoingRequestConfig,
	) -> HttpResult<HostFutureIncomingResponse> {
		if !self.outgoing_http {
			return Err(ErrorCode::HttpRequestDenied.into());
		}
		Ok(wasmtime_wasi_http::types::default_send_request(request, config))
	}
}
