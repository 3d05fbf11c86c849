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
//!
//! **Two compiler tiers.** Compiling a component that embeds an interpreter (Python, JavaScript:
//! 12–19 MB) takes Cranelift 4–5 s on two cores, Winch about 1.2 s. With
//! [`HostLimits::baseline_compiler`] a deployment is compiled by Winch and served at once
//! ([`Deployed::Baseline`]); its [`Optimization`] compiles it with Cranelift (the caller runs it
//! on a blocking thread) and swaps the optimized code in: requests already running finish on the
//! baseline code, later ones get the new one, the concurrency slots carry over. Only Cranelift's
//! code is stored as the artifact restores deserialize.

mod body;
mod state;
mod types;

pub use body::{BodyFate, BoxError, CappedBody};
pub use state::Limit;
pub use types::{DeployError, DeploymentSpec, HostLimits, Rejection, Tier, MILLICORES_PER_SLOT};

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
	time::{Duration, Instant},
};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use wasmtime::{
	component::{Component, Linker},
	Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Strategy, UpdateDeadline,
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
	/// The engine `pre` belongs to (its instances' stores are made with it).
	engine: Engine,
	tier: Tier,
	/// Which deployment of the order this is: an [`Optimization`] swaps its code into the same
	/// generation only.
	generation: u64,
	slots: Arc<Semaphore>,
}

/// An engine and the host's imports linked for it.
struct Compiler {
	engine: Engine,
	linker: Linker<FunctionState>,
	tier: Tier,
}

impl Compiler {
	fn new(wasm: &Config, tier: Tier) -> anyhow::Result<Self> {
		let engine = Engine::new(wasm)?;
		let mut linker = Linker::new(&engine);
		wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
		wasmtime_wasi_http::add_only_http_to_linker_async(&mut linker)?;
		Ok(Self { engine, linker, tier })
	}
}

/// What [`FunctionHost::deploy`] leaves to do.
#[must_use = "a baseline deployment is optimized by running its Optimization"]
pub enum Deployed {
	/// Served with the optimizing compiler's code: the artifact to store.
	Optimized(Vec<u8>),
	/// Served with the baseline compiler's code; run the optimization to swap in the
	/// optimizing compiler's and get the artifact to store.
	Baseline(Optimization),
}

/// The optimizing compilation of a deployment served from the baseline tier: a blocking call
/// of seconds for the large components, so run it on a blocking thread.
#[must_use = "the deployment stays on the baseline code unless this runs"]
pub struct Optimization {
	order_id: u64,
	spec: DeploymentSpec,
	generation: u64,
	package: Vec<u8>,
}

impl Optimization {
	/// The order whose deployment this optimizes.
	pub fn order_id(&self) -> u64 {
		self.order_id
	}

	/// Compiles the package with the optimizing compiler and, if the order is still served by
	/// the deployment this belongs to, hands the artifact to `keep` (to store it) and then
	/// swaps the code in (requests already running finish on the baseline code): a deployment
	/// served with optimized code has had its artifact kept. `false` if the deployment was
	/// replaced or removed meanwhile (nothing changed then).
	pub fn run(
		self,
		host: &FunctionHost,
		keep: impl FnOnce(&DeploymentSpec, &[u8]),
	) -> Result<bool, DeployError> {
		let component = host.compile_with(&host.optimized, &self.package)?;
		let artifact =
			component.serialize().map_err(|e| DeployError::Internal(format!("{e:#}")))?;
		let pre = host.prepare(&host.optimized, &component)?;
		let current = |deployments: &HashMap<u64, Arc<Deployment>>| {
			deployments.get(&self.order_id).filter(|d| d.generation == self.generation).cloned()
		};
		if current(&host.read_deployments()).is_none() {
			return Ok(false);
		}
		keep(&self.spec, &artifact);
		let mut deployments = host.write_deployments();
		// Looked at again: it may have been replaced while the artifact was kept.
		let Some(current) = current(&deployments) else { return Ok(false) };
		let optimized = Deployment {
			spec: current.spec,
			pre,
			engine: host.optimized.engine.clone(),
			tier: Tier::Optimized,
			generation: self.generation,
			slots: current.slots.clone(),
		};
		deployments.insert(self.order_id, Arc::new(optimized));
		drop(deployments);
		host.changed();
		Ok(true)
	}
}

/// Runs deployed functions. Create one per daemon and share it (`Arc`).
pub struct FunctionHost {
	optimized: Compiler,
	/// Winch, if [`HostLimits::baseline_compiler`] and the platform has it.
	baseline: Option<Compiler>,
	config: HostLimits,
	metrics: Arc<Metrics>,
	deployments: RwLock<HashMap<u64, Arc<Deployment>>>,
	/// [`HostLimits::max_instances`]: instances running at once over every deployment.
	instance_slots: Arc<Semaphore>,
	generations: AtomicU64,
	/// Bumped whenever a deployment is installed, swapped or removed.
	changes: watch::Sender<u64>,
	compilations: AtomicU64,
	deserializations: AtomicU64,
	stop_ticker: Arc<AtomicBool>,
}

impl FunctionHost {
	/// Creates the engines (async, component model, epoch interruption; Cranelift's with the
	/// pooling allocator, Winch's, if enabled, allocating on demand: it serves a deployment only
	/// until Cranelift's code is ready), links WASI and `wasi:http`, and starts the epoch ticker
	/// thread (stopped on drop).
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
		wasm.async_support(true).wasm_component_model(true).epoch_interruption(true);
		let baseline = if config.baseline_compiler {
			let mut winch = wasm.clone();
			winch.strategy(Strategy::Winch);
			match Compiler::new(&winch, Tier::Baseline) {
				Ok(compiler) => Some(compiler),
				Err(e) => {
					log::warn!(target: "defaas-provider", "no baseline compiler (Winch) here, compiling with Cranelift only: {e:#}");
					None
				},
			}
		} else {
			None
		};
		wasm.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
		let optimized = Compiler::new(&wasm, Tier::Optimized)?;

		let stop_ticker = Arc::new(AtomicBool::new(false));
		let mut ticking = vec![optimized.engine.clone()];
		ticking.extend(baseline.as_ref().map(|compiler| compiler.engine.clone()));
		let stop = stop_ticker.clone();
		thread::Builder::new().name("defaas-epoch".into()).spawn(move || {
			while !stop.load(Ordering::Relaxed) {
				thread::sleep(EPOCH_TICK);
				for engine in &ticking {
					engine.increment_epoch();
				}
			}
		})?;
		Ok(Self {
			optimized,
			baseline,
			config,
			metrics,
			deployments: RwLock::new(HashMap::new()),
			instance_slots: Arc::new(Semaphore::new(
				usize::try_from(instances).unwrap_or(usize::MAX),
			)),
			generations: AtomicU64::new(0),
			changes: watch::Sender::new(0),
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
	/// earlier deployment of the order): with the baseline compiler if there is one
	/// ([`Deployed::Baseline`]: run its optimization next), else with the optimizing compiler
	/// ([`Deployed::Optimized`]: the artifact to keep next to the package, see
	/// [`FunctionHost::deploy_artifact`]). A package the baseline compiler cannot compile
	/// (a feature it lacks) is compiled by the optimizing compiler at once.
	pub fn deploy(
		&self,
		order_id: u64,
		spec: DeploymentSpec,
		package: &[u8],
	) -> Result<Deployed, DeployError> {
		self.compilations.fetch_add(1, Ordering::Relaxed);
		if let Some(baseline) = &self.baseline {
			match self.compile_with(baseline, package) {
				Ok(component) => {
					// What it imports and exports does not depend on the compiler.
					let pre = self.prepare(baseline, &component)?;
					let generation = self.install(order_id, spec, pre, baseline);
					let package = package.to_vec();
					return Ok(Deployed::Baseline(Optimization {
						order_id,
						spec,
						generation,
						package,
					}));
				},
				Err(e) => log::debug!(
					target: "defaas-provider",
					"order {order_id}: the baseline compiler failed ({e}); compiling with Cranelift"
				),
			}
		}
		self.deploy_optimized_uncounted(order_id, spec, package).map(Deployed::Optimized)
	}

	/// Compiles `package` with the optimizing compiler only (a restore, which is not in a
	/// hurry), serves it for `order_id` and returns the artifact to store.
	pub fn deploy_optimized(
		&self,
		order_id: u64,
		spec: DeploymentSpec,
		package: &[u8],
	) -> Result<Vec<u8>, DeployError> {
		self.compilations.fetch_add(1, Ordering::Relaxed);
		self.deploy_optimized_uncounted(order_id, spec, package)
	}

	fn deploy_optimized_uncounted(
		&self,
		order_id: u64,
		spec: DeploymentSpec,
		package: &[u8],
	) -> Result<Vec<u8>, DeployError> {
		let component = self.compile_with(&self.optimized, package)?;
		let artifact =
			component.serialize().map_err(|e| DeployError::Internal(format!("{e:#}")))?;
		let pre = self.prepare(&self.optimized, &component)?;
		self.install(order_id, spec, pre, &self.optimized);
		Ok(artifact)
	}

	/// Checks that `package` compiles and pre-instantiates as [`FunctionHost::deploy`] would,
	/// without serving it (a pool gateway checks what its workers will run; with the faster
	/// compiler).
	pub fn check(&self, package: &[u8]) -> Result<(), DeployError> {
		self.compilations.fetch_add(1, Ordering::Relaxed);
		if let Some(baseline) = &self.baseline {
			if let Ok(component) = self.compile_with(baseline, package) {
				return self.prepare(baseline, &component).map(drop);
			}
		}
		let component = self.compile_with(&self.optimized, package)?;
		self.prepare(&self.optimized, &component).map(drop)
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
		let pre = self.prepare(&self.optimized, &component)?;
		self.install(order_id, spec, pre, &self.optimized);
		Ok(true)
	}

	/// Stops serving `order_id`; requests already running finish. `true` if it was deployed.
	pub fn undeploy(&self, order_id: u64) -> bool {
		let removed = self.write_deployments().remove(&order_id);
		if let Some(deployment) = &removed {
			deployment.slots.close();
		}
		self.update_gauge();
		self.changed();
		removed.is_some()
	}

	/// The tier of the code `order_id` is served with, if deployed.
	pub fn tier(&self, order_id: u64) -> Option<Tier> {
		self.deployment(order_id).map(|d| d.tier)
	}

	/// Resolves once `order_id` is served with `tier`'s code (`true`), or is not deployed
	/// (`false`).
	pub async fn reached_tier(&self, order_id: u64, tier: Tier) -> bool {
		// Subscribed before looking: a change after the look wakes the wait.
		let mut changes = self.changes.subscribe();
		loop {
			match self.tier(order_id) {
				None => return false,
				Some(now) if now == tier => return true,
				Some(_) => {},
			}
			if changes.changed().await.is_err() {
				return false;
			}
		}
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

	/// How many packages this host compiled, with one or both compilers (restores from an
	/// artifact do not count).
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
		// The host-wide cap, over both tiers' engines (the pooling allocator's own limit is
		// Cranelift's engine's only).
		let Ok(instance) = self.instance_slots.clone().try_acquire_owned() else {
			self.metrics.reject(RejectReason::Concurrency);
			return Err(Rejection::Busy);
		};
		// `wasi:http` needs an authority; HTTP/1.0 clients may send no `Host`.
		if !request.headers().contains_key(hyper::header::HOST) {
			request
				.headers_mut()
				.insert(hyper::header::HOST, hyper::header::HeaderValue::from_static("localhost"));
		}
		let mut store = self.new_store(&deployment);
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
			let _running = RunningInstance::start(&metrics, [permit, instance]);
			let run = async {
				let proxy = pre.instantiate_async(&mut store).await?;
				proxy.wasi_http_incoming_handler().call_handle(&mut store, incoming, outparam).await
			};
			let failure = match tokio::time::timeout(wall_time, run).await {
				Err(_elapsed) => Some(Rejection::WallTime),
				Ok(Ok(())) => None,
				Ok(Err(error)) => Some(classify(store.data().limits.tripped, &error)),
			};
			metrics.observe_instance_memory(order_id, store.data().limits.memory_used());
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

	/// Compiles a package with `compiler` (timed in the metrics by tier).
	fn compile_with(&self, compiler: &Compiler, package: &[u8]) -> Result<Component, DeployError> {
		let started = Instant::now();
		let component = Component::new(&compiler.engine, package)
			.map_err(|e| DeployError::InvalidComponent(format!("{e:#}")))?;
		self.metrics.observe_compilation(compiler.tier.as_str(), started.elapsed().as_secs_f64());
		Ok(component)
	}

	/// A stored artifact as a component, if it deserializes with this engine.
	fn deserialize(&self, artifact: &[u8]) -> Option<Component> {
		// SAFETY: artifacts are produced by `Component::serialize` of this daemon and read back
		// from its own database; wasmtime additionally checks the engine version and settings
		// in the artifact header and refuses a mismatch.
		let component = unsafe { Component::deserialize(&self.optimized.engine, artifact) };
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

	/// Pre-instantiates `component` (compiled by `compiler`) against the host's imports.
	fn prepare(
		&self,
		compiler: &Compiler,
		component: &Component,
	) -> Result<ProxyPre<FunctionState>, DeployError> {
		let instance_pre = compiler
			.linker
			.instantiate_pre(component)
			.map_err(|e| DeployError::InvalidComponent(format!("{e:#}")))?;
		ProxyPre::new(instance_pre).map_err(|e| {
			DeployError::InvalidComponent(format!(
				"does not export wasi:http/incoming-handler: {e:#}"
			))
		})
	}

	/// Serves `pre` (compiled by `compiler`) for `order_id` as a new deployment; its
	/// generation.
	fn install(
		&self,
		order_id: u64,
		spec: DeploymentSpec,
		pre: ProxyPre<FunctionState>,
		compiler: &Compiler,
	) -> u64 {
		let generation = self.generations.fetch_add(1, Ordering::Relaxed);
		let slots = Arc::new(Semaphore::new(spec.concurrency()));
		let deployment = Arc::new(Deployment {
			spec,
			pre,
			engine: compiler.engine.clone(),
			tier: compiler.tier,
			generation,
			slots,
		});
		if let Some(old) = self.write_deployments().insert(order_id, deployment) {
			old.slots.close();
		}
		self.update_gauge();
		self.changed();
		generation
	}

	/// Tells [`FunctionHost::reached_tier`] waiters to look again.
	fn changed(&self) {
		self.changes.send_modify(|count| *count = count.wrapping_add(1));
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

	/// A fresh store of the deployment's engine with its limits and the CPU budget armed.
	fn new_store(&self, deployment: &Deployment) -> wasmtime::Store<FunctionState> {
		let spec = &deployment.spec;
		let tick = EPOCH_TICK.as_millis().max(1);
		let ticks = u64::try_from(self.config.cpu_budget.as_millis().div_ceil(tick)).unwrap_or(1);
		let memory = spec
			.memory_bytes()
			.min(usize::try_from(u64::from(self.config.max_memory_mb) << 20).unwrap_or(usize::MAX));
		let state =
			FunctionState::new(Limits::new(memory, ticks.max(1)), self.config.outgoing_http);
		let mut store = wasmtime::Store::new(&deployment.engine, state);
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

/// Holds the deployment's concurrency slot and the host's instance slot, and counts the
/// instance in the `instances` gauge while it runs.
struct RunningInstance {
	metrics: Arc<Metrics>,
	_permits: [OwnedSemaphorePermit; 2],
}

impl RunningInstance {
	fn start(metrics: &Arc<Metrics>, permits: [OwnedSemaphorePermit; 2]) -> Self {
		metrics.instances.inc();
		Self { metrics: metrics.clone(), _permits: permits }
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
