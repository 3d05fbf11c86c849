//! Prometheus metrics of the function host and the HTTP server (served on `GET /metrics`).

use prometheus::{
	Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
	TextEncoder,
};

/// Why a function request was refused or cut short; the `reason` label of
/// `defaas_provider_rejected_requests_total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RejectReason {
	/// Every slot of the deployment's concurrency limit was taken.
	Concurrency,
	/// The function used up its CPU time budget.
	CpuTime,
	/// The function tried to grow its memory beyond the level's limit.
	Memory,
	/// The request took longer than the wall-time limit.
	WallTime,
	/// The response body exceeded the size cap and was cut off.
	ResponseTooLarge,
	/// The function trapped (panic, `unreachable`, ...) or broke the `wasi:http` contract.
	Trap,
	/// No deployment for the order in the path.
	UnknownOrder,
}

impl RejectReason {
	/// Every reason, in a fixed order.
	pub const ALL: [RejectReason; 7] = [
		Self::Concurrency,
		Self::CpuTime,
		Self::Memory,
		Self::WallTime,
		Self::ResponseTooLarge,
		Self::Trap,
		Self::UnknownOrder,
	];

	/// The label value.
	pub fn as_str(&self) -> &'static str {
		match self {
			Self::Concurrency => "concurrency",
			Self::CpuTime => "cpu_time",
			Self::Memory => "memory",
			Self::WallTime => "wall_time",
			Self::ResponseTooLarge => "response_too_large",
			Self::Trap => "trap",
			Self::UnknownOrder => "unknown_order",
		}
	}
}

/// Bytes in a MiB.
const MIB: f64 = 1024.0 * 1024.0;

/// The provider's metrics, registered in their own [`Registry`].
#[derive(Clone)]
pub struct Metrics {
	registry: Registry,
	/// `defaas_provider_requests_total{order,code}`: function requests by order and status.
	pub requests: IntCounterVec,
	/// `defaas_provider_request_duration_seconds{order}`: time to the response head.
	pub request_duration: HistogramVec,
	/// `defaas_provider_instances`: function instances currently running.
	pub instances: IntGauge,
	/// `defaas_provider_instance_memory_bytes{order}`: the linear memory each request's
	/// instance ended with (its peak: memory only grows), what counts against the level's
	/// `memory_mb`.
	pub instance_memory: HistogramVec,
	/// `defaas_provider_compile_seconds{tier}`: compilations of packages by compiler tier
	/// (`baseline`: Winch, `optimized`: Cranelift) and how long each took.
	pub compilations: HistogramVec,
	/// `defaas_provider_deployments`: deployments currently served.
	pub deployments: IntGauge,
	/// `defaas_provider_rejected_requests_total{reason}`: see [`RejectReason`].
	pub rejected: IntCounterVec,
	/// `defaas_provider_refused_connections_total`: connections over a connection cap
	/// (`[http]` of the config), answered `503` and closed.
	pub refused_connections: IntCounter,
}

impl Metrics {
	/// Creates and registers every metric.
	pub fn new() -> Result<Self, prometheus::Error> {
		let registry = Registry::new();
		let requests = IntCounterVec::new(
			Opts::new(
				"defaas_provider_requests_total",
				"Function requests by order and status code.",
			),
			&["order", "code"],
		)?;
		let request_duration = HistogramVec::new(
			HistogramOpts::new(
				"defaas_provider_request_duration_seconds",
				"Time from a function request's arrival to its response head, by order.",
			)
			.buckets(vec![0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]),
			&["order"],
		)?;
		let instances =
			IntGauge::new("defaas_provider_instances", "Function instances currently running.")?;
		let instance_memory = HistogramVec::new(
			HistogramOpts::new(
				"defaas_provider_instance_memory_bytes",
				"Linear memory of a request's function instance at its end (its peak), by order.",
			)
			// 1 MiB to 8 GiB in powers of two.
			.buckets((0..=13).map(|power| f64::from(1_u32 << power) * MIB).collect()),
			&["order"],
		)?;
		let deployments =
			IntGauge::new("defaas_provider_deployments", "Deployments currently served.")?;
		let rejected = IntCounterVec::new(
			Opts::new(
				"defaas_provider_rejected_requests_total",
				"Function requests refused or cut short, by reason.",
			),
			&["reason"],
		)?;
		registry.register(Box::new(requests.clone()))?;
		registry.register(Box::new(request_duration.clone()))?;
		registry.register(Box::new(instances.clone()))?;
		registry.register(Box::new(instance_memory.clone()))?;
		let compilations = HistogramVec::new(
			HistogramOpts::new(
				"defaas_provider_compile_seconds",
				"Compilations of function packages by compiler tier, and their duration.",
			)
			.buckets(vec![0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0]),
			&["tier"],
		)?;
		registry.register(Box::new(compilations.clone()))?;
		registry.register(Box::new(deployments.clone()))?;
		let refused_connections = IntCounter::new(
			"defaas_provider_refused_connections_total",
			"Connections over a connection cap, answered 503 and closed.",
		)?;
		registry.register(Box::new(rejected.clone()))?;
		registry.register(Box::new(refused_connections.clone()))?;
		// Make every reason visible from the start (a zero is information too).
		for reason in RejectReason::ALL {
			rejected.with_label_values(&[reason.as_str()]);
		}
		Ok(Self {
			registry,
			requests,
			request_duration,
			instances,
			instance_memory,
			compilations,
			deployments,
			rejected,
			refused_connections,
		})
	}

	/// Counts one connection refused over a cap.
	pub fn refuse_connection(&self) {
		self.refused_connections.inc();
	}

	/// Counts one rejected request.
	pub fn reject(&self, reason: RejectReason) {
		self.rejected.with_label_values(&[reason.as_str()]).inc();
	}

	/// The number of requests rejected for `reason` so far.
	pub fn rejected_count(&self, reason: RejectReason) -> u64 {
		self.rejected.with_label_values(&[reason.as_str()]).get()
	}

	/// Counts a function request of `order_id` answered with `code` after `seconds`.
	pub fn observe_request(&self, order_id: u64, code: u16, seconds: f64) {
		let order = order_id.to_string();
		self.requests.with_label_values(&[&order, &code.to_string()]).inc();
		self.request_duration.with_label_values(&[&order]).observe(seconds);
	}

	/// Records a compilation by the compiler tier `tier` that took `seconds`.
	pub fn observe_compilation(&self, tier: &str, seconds: f64) {
		self.compilations.with_label_values(&[tier]).observe(seconds);
	}

	/// Records the linear memory, in bytes, a request's instance of `order_id` ended with.
	pub fn observe_instance_memory(&self, order_id: u64, bytes: usize) {
		let bytes = u32::try_from(bytes >> 10).map_or(f64::MAX, |kib| f64::from(kib) * 1024.0);
		self.instance_memory.with_label_values(&[&order_id.to_string()]).observe(bytes);
	}

	/// The Prometheus text exposition of every metric.
	pub fn render(&self) -> Result<Vec<u8>, prometheus::Error> {
		let mut out = Vec::new();
		TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
		Ok(out)
	}
}
