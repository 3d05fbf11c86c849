//! The function host (docs/architecture.md §8): runs customers' `wasi:http` components (`wasm32-wasip2`) with
//! wasmtime, one pre-instantiated component per deployment and a fresh instance per request.
//!
//! Limits, per request:
//! - **memory**: the level's `memory_mb`, summed over the instance's linear memories; growing
//!   beyond it traps (`function trapped: memory limit exceeded`);
//! - **CPU time**: [`HostLimits::cpu_budget`] of guest execution, measured with epoch
//!   interruption: a ticker thread advances the engine's epoch every [`EPOCH_TICK`], and every
//!   tick the guest executes through costs one tick of the budget (time spent waiting in host
//!   calls is not counted). The guest yields to the executor on every tick, so a spinning
//!   function cannot starve the others. Exhaustion traps
//!   (`function trapped: cpu time limit exceeded`);
//! - **wall time**: [`HostLimits::wall_time`] from instantiation to the end of the response body;
//! - **concurrency by CPU share**: `max(1, cpu_millicores / 250)` requests of a deployment run at
//!   once (a level with one CPU runs four); a request that finds no free slot within
//!   [`HostLimits::queue_wait`] is refused with `503` instead of queueing;
//! - **response size**: bodies are cut off after [`HostLimits::max_response_bytes`].
//!
//! A trap ends only its own instance: every request gets a new `Store`, so the deployment goes on
//! serving the next requests.

mod body;
mod state;
mod types;

pub use body::{BodyFate, BoxError, CappedBody};
pub use state::Limit;
pub use types::{DeployError, DeploymentSpec, HostLimits, Rejection, MILLICORES_PER_SLOT};

use crate::metrics::{Metrics, RejectReason};
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Body;
use state::{FunctionState, Limits};
use std::{
	collections::HashMap,
	sync::{
		atomic::{AtomicBool, AtomicU64, Ordering},
		Arc, RwLock,
	},
	thread,
	time::Duration,
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use wasmtime::{
	component::{Component, Linker},
	Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, UpdateDeadline,
};
use wasmtime_wasi_http::{bindings::http::types::Scheme, bindings::ProxyPre, WasiHttpView};

/// How often the engine's epoch advances; the granularity of the CPU budget.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// The body of a function's response as served by the daemon.
pub type FunctionBody = http_body_util::combinators::BoxBody<Bytes, BoxError>;

/// One served deployment.
struct Deployment {
	spec: DeploymentSpec,
	pre: ProxyPre<FunctionState>,
	slots: Arc<Semaphore>,
}

/// Runs deployed functions. Create one per daemon and share it (`Arc`).
pub struct FunctionHost {
	engine: Engine,
	linker: Linker<FunctionState>,
	config: HostLimits,
	metrics: Arc<Metrics>,
	deployments: RwLock<HashMap<u64, Arc<Deployment>>>,
	compilations: AtomicU64,
	deserializations: AtomicU64,
	stop_ticker: Arc<AtomicBool>,
}

impl FunctionHost {
	/// Creates the engine (async, component model, pooling allocator, epoch interruption), links
	/// WASI and `wasi:http`, and starts the epoch ticker thread (stopped on drop).
	pub fn new(config: HostLimits, metrics: Arc<Metrics>) -> anyhow::Result<Self> {
		let mut pool = PoolingAllocationConfig::new();
		let instances = config.max_instances.max(1);
		pool.total_component_instances(instances)
			.total_core_instances(instances.saturating_mul(16))
			.total_memories(instances.saturating_mul(4))
			.total_tables(instances.saturating_mul(16))
			.total_stacks(instances)
			.total_gc_heaps(instances)
			.max_memory_size(usize::try_from(u64::from(config.max_memory_mb) << 20)?)
			.max_component_instance_size(4 << 20)
			.max_core_instance_size(4 << 20)
			.max_tables_per_module(8)
			.max_memories_per_module(2)
			.table_elements(100_000);
		let mut wasm = Config::new();
		wasm.async_support(true)
			.wasm_component_model(true)
			.epoch_interruption(true)
			.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
		let engine = Engine::new(&wasm)?;
		let mut linker = Linker::new(&engine);
		wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
		wasmtime_wasi_http::add_only_http_to_linker_async(&mut linker)?;

		let stop_ticker = Arc::new(AtomicBool::new(false));
		let (ticking, stop) = (engine.clone(), stop_ticker.clone());
		thread::Builder::new().name("defaas-epoch".into()).spawn(move || {
			while !stop.load(Ordering::Relaxed) {
				thread::sleep(EPOCH_TICK);
				ticking.increment_epoch();
			}
		})?;
		Ok(Self {
			engine,
			linker,
			config,
			metrics,
			deployments: RwLock::new(HashMap::new()),
			compilations: AtomicU64::new(0),
			deserializations: AtomicU64::new(0),
			stop_ticker,
		})
	}

	/// The host's limits.
	pub fn config(&self) -> &HostLimits {
		&self.config
	}

	/// Compiles `package`, pre-instantiates it and serves it for `order_id` (replacing any
	/// earlier deployment of the order). Returns the serialized compiled component, to be kept
	/// next to the package (see [`FunctionHost::deploy_artifact`]).
	pub fn deploy(
		&self,
		order_id: u64,
		spec: DeploymentSpec,
		package: &[u8],
	) -> Result<Vec<u8>, DeployError> {
		let component = self.compile(package)?;
		let artifact =
			component.serialize().map_err(|e| DeployError::Internal(format!("{e:#}")))?;
		self.install(order_id, spec, &component)?;
		Ok(artifact)
	}

	/// Checks that `package` compiles and pre-instantiates as [`FunctionHost::deploy`] would,
	/// without serving it (a pool gateway checks what its workers will run).
	pub fn check(&self, package: &[u8]) -> Result<(), DeployError> {
		let component = self.compile(package)?;
		self.prepare(&component).map(drop)
	}

	/// Serves `artifact` — a compiled component from [`FunctionHost::deploy`], kept by the
	/// caller — for `order_id`, without compiling. `Ok(false)` (nothing deployed) if the
	/// artifact does not deserialize with this engine (e.g. after a wasmtime upgrade): deploy
	/// the package instead.
	pub fn deploy_artifact(
		&self,
		order_id: u64,
		spec: DeploymentSpec,
		artifact: &[u8],
	) -> Result<bool, DeployError> {
		let Some(component) = self.deserialize(artifact) else { return Ok(false) };
		self.install(order_id, spec, &component)?;
		Ok(true)
	}

	/// Stops serving `order_id`; requests already running finish. `true` if it was deployed.
	pub fn undeploy(&self, order_id: u64) -> bool {
		let removed = self.write_deployments().remove(&order_id);
		if let Some(deployment) = &removed {
			deployment.slots.close();
		}
		self.update_gauge();
		removed.is_some()
	}

	/// Whether `order_id` is deployed.
	pub fn is_deployed(&self, order_id: u64) -> bool {
		self.deployment(order_id).is_some()
	}

	/// The spec of the deployment of `order_id`, if deployed.
	pub fn spec(&self, order_id: u64) -> Option<DeploymentSpec> {
		self.deployment(order_id).map(|d| d.spec)
	}

	/// Whether `order_id` is deployed and accepting requests (its health check).
	pub fn is_serving(&self, order_id: u64) -> bool {
		self.deployment(order_id).is_some_and(|d| !d.slots.is_closed())
	}

	/// The number of deployments served.
	pub fn deployment_count(&self) -> usize {
		self.read_deployments().len()
	}

	/// How many packages this host compiled (restores from an artifact do not count).
	pub fn compilations(&self) -> u64 {
		self.compilations.load(Ordering::Relaxed)
	}

	/// How many stored artifacts this host deserialized.
	pub fn deserializations(&self) -> u64 {
		self.deserializations.load(Ordering::Relaxed)
	}

	/// Runs the function of `order_id` on `request` (path and query unchanged) in a fresh
	/// instance. The response head is returned as soon as the function sets it; its body
	/// streams while the instance keeps running, cut off at the size cap.
	pub async fn handle<B>(
		&self,
		order_id: u64,
		mut request: hyper::Request<B>,
	) -> Result<hyper::Response<FunctionBody>, Rejection>
	where
		B: Body<Data = Bytes, Error = hyper::Error> + Send + Sync + 'static,
	{
		let deployment = self.deployment(order_id).ok_or(Rejection::UnknownOrder)?;
		let permit = self.acquire(&deployment).await?;
		// `wasi:http` needs an authority; HTTP/1.0 clients may send no `Host`.
		if !request.headers().contains_key(hyper::header::HOST) {
			request
				.headers_mut()
				.insert(hyper::header::HOST, hyper::header::HeaderValue::from_static("localhost"));
		}
		let mut store = self.new_store(&deployment.spec);
		let (sender, receiver) = tokio::sync::oneshot::channel();
		let data = store.data_mut();
		let incoming = data
			.new_incoming_request(Scheme::Http, request)
			.map_err(|e| Rejection::Internal(format!("{e:#}")))?;
		let outparam = data
			.new_response_outparam(sender)
			.map_err(|e| Rejection::Internal(format!("{e:#}")))?;

		let (pre, wall_time, metrics) =
			(deployment.pre.clone(), self.config.wall_time, self.metrics.clone());
		let fate = Arc::new(BodyFate::default());
		let body_fate = fate.clone();
		let task = tokio::spawn(async move {
			let _running = RunningInstance::start(&metrics, permit);
			let run = async {
				let proxy = pre.instantiate_async(&mut store).await?;
				proxy.wasi_http_incoming_handler().call_handle(&mut store, incoming, outparam).await
			};
			let failure = match tokio::time::timeout(wall_time, run).await {
				Err(_elapsed) => Some(Rejection::WallTime),
				Ok(Ok(())) => None,
				Ok(Err(error)) => Some(classify(store.data().limits.tripped, &error)),
			};
			if failure.is_some() {
				// Before the store (and with it the body's sender) is dropped below.
				fate.instance_failed.store(true, Ordering::SeqCst);
			}
			// A function whose body the host cut off or the client dropped fails to write: that
			// is the cut's consequence (already counted), not a trap of its own.
			let consequence = matches!(failure, Some(Rejection::Trap(_)))
				&& fate.abandoned.load(Ordering::SeqCst);
			if let Some(reason) = failure.as_ref().and_then(Rejection::reason) {
				if !consequence {
					metrics.reject(reason);
				}
			}
			drop(store);
			failure
		});

		match receiver.await {
			Ok(Ok(response)) => self.cap_response(response, body_fate),
			Ok(Err(code)) => {
				self.metrics.reject(RejectReason::Trap);
				Err(Rejection::Trap(format!("the function answered with an error: {code:?}")))
			},
			// The function ended without setting a response: the task says why.
			Err(_) => match task.await {
				Ok(Some(rejection)) => Err(rejection),
				Ok(None) => {
					self.metrics.reject(RejectReason::Trap);
					Err(Rejection::Trap("the function did not set a response".into()))
				},
				Err(join) => Err(Rejection::Internal(format!("function task failed: {join}"))),
			},
		}
	}

	/// Compiles a package into a component that exports `wasi:http/incoming-handler`.
	fn compile(&self, package: &[u8]) -> Result<Component, DeployError> {
		self.compilations.fetch_add(1, Ordering::Relaxed);
		Component::new(&self.engine, package)
			.map_err(|e| DeployError::InvalidComponent(format!("{e:#}")))
	}

	/// A stored artifact as a component, if it deserializes with this engine.
	fn deserialize(&self, artifact: &[u8]) -> Option<Component> {
		// SAFETY: artifacts are produced by `Component::serialize` of this daemon and read back
		// from its own database; wasmtime additionally checks the engine version and settings
		// in the artifact header and refuses a mismatch.
		let component = unsafe { Component::deserialize(&self.engine, artifact) };
		match component {
			Ok(component) => {
				self.deserializations.fetch_add(1, Ordering::Relaxed);
				Some(component)
			},
			Err(e) => {
				log::warn!(target: "defaas-provider", "stored artifact unusable, recompiling: {e:#}");
				None
			},
		}
	}

	/// Pre-instantiates `component` against the host's imports.
	fn prepare(&self, component: &Component) -> Result<ProxyPre<FunctionState>, DeployError> {
		let instance_pre = self
			.linker
			.instantiate_pre(component)
			.map_err(|e| DeployError::InvalidComponent(format!("{e:#}")))?;
		ProxyPre::new(instance_pre).map_err(|e| {
			DeployError::InvalidComponent(format!(
				"does not export wasi:http/incoming-handler: {e:#}"
			))
		})
	}

	/// Pre-instantiates `component` and serves it for `order_id`.
	fn install(
		&self,
		order_id: u64,
		spec: DeploymentSpec,
		component: &Component,
	) -> Result<(), DeployError> {
		let pre = self.prepare(component)?;
		let slots = Arc::new(Semaphore::new(spec.concurrency()));
		let deployment = Arc::new(Deployment { spec, pre, slots });
		if let Some(old) = self.write_deployments().insert(order_id, deployment) {
			old.slots.close();
		}
		self.update_gauge();
		Ok(())
	}

	/// A concurrency slot of `deployment`, waiting at most the configured queue wait.
	async fn acquire(&self, deployment: &Deployment) -> Result<OwnedSemaphorePermit, Rejection> {
		let slots = deployment.slots.clone();
		let permit = match slots.clone().try_acquire_owned() {
			Ok(permit) => Ok(permit),
			Err(tokio::sync::TryAcquireError::Closed) => return Err(Rejection::UnknownOrder),
			Err(tokio::sync::TryAcquireError::NoPermits) if self.config.queue_wait.is_zero() => {
				Err(Rejection::Busy)
			},
			Err(tokio::sync::TryAcquireError::NoPermits) => {
				match tokio::time::timeout(self.config.queue_wait, slots.acquire_owned()).await {
					Ok(Ok(permit)) => Ok(permit),
					Ok(Err(_closed)) => return Err(Rejection::UnknownOrder),
					Err(_elapsed) => Err(Rejection::Busy),
				}
			},
		};
		if permit.is_err() {
			self.metrics.reject(RejectReason::Concurrency);
		}
		permit
	}

	/// A fresh store with the deployment's limits and the CPU budget armed.
	fn new_store(&self, spec: &DeploymentSpec) -> wasmtime::Store<FunctionState> {
		let tick = EPOCH_TICK.as_millis().max(1);
		let ticks = u64::try_from(self.config.cpu_budget.as_millis().div_ceil(tick)).unwrap_or(1);
		let memory = spec
			.memory_bytes()
			.min(usize::try_from(u64::from(self.config.max_memory_mb) << 20).unwrap_or(usize::MAX));
		let state =
			FunctionState::new(Limits::new(memory, ticks.max(1)), self.config.outgoing_http);
		let mut store = wasmtime::Store::new(&self.engine, state);
		store.limiter(|state| &mut state.limits);
		store.set_epoch_deadline(1);
		store.epoch_deadline_callback(|mut context| {
			let limits = &mut context.data_mut().limits;
			if limits.cpu_ticks_left == 0 {
				limits.tripped = Some(Limit::CpuTime);
				return Err(Limit::CpuTime.into());
			}
			limits.cpu_ticks_left -= 1;
			Ok(UpdateDeadline::Yield(1))
		});
		store
	}

	/// Checks an announced `Content-Length` against the cap and caps the streamed body.
	fn cap_response(
		&self,
		response: hyper::Response<wasmtime_wasi_http::body::HyperOutgoingBody>,
		fate: Arc<BodyFate>,
	) -> Result<hyper::Response<FunctionBody>, Rejection> {
		let cap = self.config.max_response_bytes;
		let announced = response
			.headers()
			.get(hyper::header::CONTENT_LENGTH)
			.and_then(|value| value.to_str().ok())
			.and_then(|value| value.parse::<u64>().ok());
		if announced.is_some_and(|length| length > cap) {
			fate.abandoned.store(true, Ordering::SeqCst);
			self.metrics.reject(RejectReason::ResponseTooLarge);
			return Err(Rejection::ResponseTooLarge(cap));
		}
		let metrics = self.metrics.clone();
		Ok(response.map(|body| CappedBody::new(body, cap, metrics, fate).boxed()))
	}

	fn deployment(&self, order_id: u64) -> Option<Arc<Deployment>> {
		self.read_deployments().get(&order_id).cloned()
	}

	fn read_deployments(&self) -> std::sync::RwLockReadGuard<'_, HashMap<u64, Arc<Deployment>>> {
		self.deployments.read().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	fn write_deployments(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<u64, Arc<Deployment>>> {
		self.deployments.write().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	fn update_gauge(&self) {
		let count = i64::try_from(self.deployment_count()).unwrap_or(i64::MAX);
		self.metrics.deployments.set(count);
	}
}

impl Drop for FunctionHost {
	fn drop(&mut self) {
		self.stop_ticker.store(true, Ordering::Relaxed);
	}
}

/// The rejection for an instance that failed with `error`, after running into `tripped`.
fn classify(tripped: Option<Limit>, error: &anyhow::Error) -> Rejection {
	let limit = tripped.or_else(|| error.chain().find_map(|e| e.downcast_ref::<Limit>().copied()));
	match limit {
		Some(Limit::CpuTime) => Rejection::CpuTime,
		Some(Limit::Memory) => Rejection::Memory,
		// Every pooled instance slot of the host is taken: busy, not the function's fault.
		None if error.chain().any(|e| e.is::<wasmtime::PoolConcurrencyLimitError>()) => {
			Rejection::Busy
		},
		None => match error.downcast_ref::<wasmtime::Trap>() {
			Some(trap) => Rejection::Trap(trap.to_string()),
			None => Rejection::Trap(format!("{error:#}")),
		},
	}
}

/// Holds a concurrency slot and counts the instance in the `instances` gauge while it runs.
struct RunningInstance {
	metrics: Arc<Metrics>,
	_permit: OwnedSemaphorePermit,
}

impl RunningInstance {
	fn start(metrics: &Arc<Metrics>, permit: OwnedSemaphorePermit) -> Self {
		metrics.instances.inc();
		Self { metrics: metrics.clone(), _permit: permit }
	}
}

impl Drop for RunningInstance {
	fn drop(&mut self) {
		self.metrics.instances.dec();
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn default_limits_create_a_host() {
		let metrics = Arc::new(Metrics::new().expect("metrics"));
		let host = FunctionHost::new(HostLimits::default(), metrics).expect("host");
		assert_eq!(host.deployment_count(), 0);
	}

	#[test]
	fn concurrency_is_one_slot_per_quarter_cpu() {
		let spec = |cpu_millicores| DeploymentSpec {
			package_hash: [0; 32],
			level: 0,
			memory_mb: 512,
			package_mb: 50,
			cpu_millicores,
		};
		assert_eq!(spec(0).concurrency(), 1);
		assert_eq!(spec(249).concurrency(), 1);
		assert_eq!(spec(1000).concurrency(), 4);
		assert_eq!(spec(2000).concurrency(), 8);
	}

	#[test]
	fn rejections_map_to_statuses_and_reasons() {
		assert_eq!(Rejection::CpuTime.to_string(), "function trapped: cpu time limit exceeded");
		assert_eq!(Rejection::CpuTime.status(), 503);
		assert_eq!(Rejection::Memory.status(), 500);
		assert_eq!(Rejection::WallTime.status(), 504);
		assert_eq!(Rejection::Busy.reason(), Some(RejectReason::Concurrency));
		assert_eq!(Rejection::Internal("x".into()).reason(), None);
	}
}
