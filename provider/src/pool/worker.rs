//! A pool worker (see [`crate::pool`]): a function host that only dials out to NATS.
//!
//! It watches the deployment bucket (every record already there, then every change): for a new
//! record it fetches the package from the object store, checks its hash, compiles it and
//! subscribes to the order's subject in the queue group; for a deleted record (the lease ended)
//! it unsubscribes and stops serving. Every [`STATUS_INTERVAL`], and at once after a change, it
//! puts its [`WorkerStatus`] into the worker bucket.
//!
//! Shutdown (SIGTERM, Ctrl-C): it unsubscribes from every deployment — NATS sends new requests
//! to the other workers from then on — lets the requests in flight finish (at most the drain
//! timeout), deletes its status and closes the connection.

use super::{
	package_object,
	wire::{self, Frame, Incoming, RequestHead, ResponseHead},
	Buckets, Names, PoolDeployment, WorkerStatus, QUEUE_GROUP, STATUS_INTERVAL,
};
use crate::{
	challenge_answer,
	config::PoolConfig,
	host::{Deployed, DeploymentSpec, FunctionHost},
	shutdown::Shutdown,
};
use anyhow::Context;
use async_nats::{jetstream::kv::Operation, Client, Subject};
use bytes::Bytes;
use codec::Decode;
use futures::StreamExt;
use http_body_util::{combinators::MapErr, BodyExt, Full};
use std::{
	collections::{BTreeMap, HashMap},
	convert::Infallible,
	sync::Arc,
	time::Duration,
};
use tokio::{io::AsyncReadExt, task::JoinSet};

/// A served deployment: its spec and the task answering its subscription.
struct Served {
	spec: DeploymentSpec,
	task: tokio::task::JoinHandle<()>,
}

/// Runs a worker until `shutdown`; `drain_timeout` bounds the requests in flight at the end.
pub async fn run(
	config: &PoolConfig,
	host: Arc<FunctionHost>,
	shutdown: Shutdown,
	drain_timeout: Duration,
) -> anyhow::Result<()> {
	let name = config.worker_name();
	let names = Names::of(config);
	let Some(client) = super::connect(&config.nats_url, &name, &shutdown).await else {
		return Ok(());
	};
	log::info!("worker {name}: connected to NATS at {}", config.nats_url);
	let jetstream = async_nats::jetstream::new(client.clone());
	let buckets = Buckets::open(&jetstream, &names).await?;
	let mut records = buckets
		.deployments
		.watch_with_history(">")
		.await
		.context("watching the deployment bucket")?;
	let in_flight = Arc::new(tokio::sync::Mutex::new(JoinSet::new()));
	let mut served: BTreeMap<u64, Served> = BTreeMap::new();
	let mut failed: HashMap<u64, Failed> = HashMap::new();
	let mut ticker = tokio::time::interval(STATUS_INTERVAL);
	let worker =
		Arc::new(WorkerContext { client: client.clone(), host: host.clone(), name: name.clone() });
	loop {
		tokio::select! {
			biased;
			() = shutdown.triggered() => break,
			entry = records.next() => {
				let Some(entry) = entry else {
					anyhow::bail!("the deployment bucket's watch ended");
				};
				let entry = match entry {
					Ok(entry) => entry,
					Err(e) => {
						log::warn!("worker {name}: watching deployments: {e}");
						continue;
					},
				};
				let Ok(order_id) = entry.key.parse::<u64>() else { continue };
				match entry.operation {
					Operation::Put => {
						let Ok(record) = PoolDeployment::decode(&mut &entry.value[..]) else {
							log::warn!("worker {name}: order {order_id}: malformed record");
							continue;
						};
						if served.get(&order_id).is_some_and(|s| s.spec == record.spec) {
							continue;
						}
						let attempt = serve(&worker, &buckets, &names, order_id, record.spec, &in_flight).await;
						settle(&name, order_id, record.spec, attempt, &mut served, &mut failed);
					},
					Operation::Delete | Operation::Purge => {
						failed.remove(&order_id);
						if let Some(old) = served.remove(&order_id) {
							old.task.abort();
							host.undeploy(order_id);
							log::info!("worker {name}: order {order_id}: lease over; not serving");
						}
					},
				}
				put_status(&buckets, &name, &served, &failed, &host).await;
			},
			_ = ticker.tick() => {
				// Deployments that failed (a fetch, a compile) are tried again now and then.
				let due: Vec<(u64, DeploymentSpec)> = failed
					.iter()
					.filter(|(_, failure)| failure.at.elapsed() >= RETRY_AFTER)
					.map(|(order_id, failure)| (*order_id, failure.spec))
					.collect();
				for (order_id, spec) in due {
					let attempt = serve(&worker, &buckets, &names, order_id, spec, &in_flight).await;
					settle(&name, order_id, spec, attempt, &mut served, &mut failed);
				}
				put_status(&buckets, &name, &served, &failed, &host).await;
			},
		}
	}
	// Unsubscribe first (new requests go to the other workers), then finish what is running.
	for (_, old) in std::mem::take(&mut served) {
		old.task.abort();
	}
	let mut running = std::mem::take(&mut *in_flight.lock().await);
	let left = running.len();
	if tokio::time::timeout(drain_timeout, async { while running.join_next().await.is_some() {} })
		.await
		.is_err()
	{
		log::warn!(
			"worker {name}: {} request(s) still running after {drain_timeout:?}; aborted",
			running.len()
		);
	}
	running.shutdown().await;
	// NATS may be gone too: its client would wait for it forever.
	let farewell = async {
		if let Err(e) = buckets.workers.delete(&name).await {
			log::warn!("worker {name}: deleting its status: {e}");
		}
		let _ = client.flush().await;
	};
	if tokio::time::timeout(FAREWELL_TIMEOUT, farewell).await.is_err() {
		log::warn!(
			"worker {name}: NATS did not answer in {FAREWELL_TIMEOUT:?}; its status expires"
		);
	}
	log::info!("worker {name}: stopped ({left} request(s) were in flight)");
	Ok(())
}

/// How long a stopping worker waits for NATS to take its last words (deleting its status).
pub const FAREWELL_TIMEOUT: Duration = Duration::from_secs(2);

/// How long a worker waits before it tries a failed deployment again.
pub const RETRY_AFTER: Duration = Duration::from_secs(10);

/// A deployment this worker could not serve: what, why, when it last tried.
struct Failed {
	spec: DeploymentSpec,
	reason: String,
	at: std::time::Instant,
}

/// Records the outcome of an attempt to serve `order_id`.
fn settle(
	name: &str,
	order_id: u64,
	spec: DeploymentSpec,
	attempt: anyhow::Result<tokio::task::JoinHandle<()>>,
	served: &mut BTreeMap<u64, Served>,
	failed: &mut HashMap<u64, Failed>,
) {
	match attempt {
		Ok(task) => {
			log::info!("worker {name}: order {order_id}: serving");
			failed.remove(&order_id);
			if let Some(old) = served.insert(order_id, Served { spec, task }) {
				old.task.abort();
			}
		},
		Err(e) => {
			log::warn!("worker {name}: order {order_id}: cannot serve: {e:#}");
			let at = std::time::Instant::now();
			failed.insert(order_id, Failed { spec, reason: format!("{e:#}"), at });
		},
	}
}

/// What the request handlers of a worker share.
struct WorkerContext {
	client: Client,
	host: Arc<FunctionHost>,
	name: String,
}

/// Fetches, checks, compiles and serves the package of `order_id`; the subscription's task.
async fn serve(
	worker: &Arc<WorkerContext>,
	buckets: &Buckets,
	names: &Names,
	order_id: u64,
	spec: DeploymentSpec,
	in_flight: &Arc<tokio::sync::Mutex<JoinSet<()>>>,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
	let object = package_object(&spec.package_hash);
	let mut reader = buckets
		.packages
		.get(&object)
		.await
		.with_context(|| format!("fetching package {object}"))?;
	let limit = u64::from(spec.package_mb).saturating_mul(1 << 20);
	let mut package = Vec::new();
	(&mut reader).take(limit.saturating_add(1)).read_to_end(&mut package).await?;
	if u64::try_from(package.len()).unwrap_or(u64::MAX) > limit {
		anyhow::bail!("package {object} exceeds the level's {} MiB", spec.package_mb);
	}
	if defaas_primitives::deploy::package_hash(&package) != spec.package_hash {
		anyhow::bail!("package {object} does not hash to its name");
	}
	let host = worker.host.clone();
	let deployed = tokio::task::spawn_blocking(move || host.deploy(order_id, spec, &package))
		.await
		.context("the compile task")??;
	if let Deployed::Baseline(optimization) = deployed {
		// Serving from the baseline code; the optimized code is swapped in when ready (a
		// worker keeps no artifacts: it fetches the package again after a restart).
		let host = worker.host.clone();
		tokio::task::spawn_blocking(move || {
			if let Err(e) = optimization.run(&host, |_, _| {}) {
				log::warn!(target: "defaas-provider", "order {order_id}: the optimizing compiler failed, serving the baseline code: {e}");
			}
		});
	}
	let mut subscription = worker
		.client
		.queue_subscribe(names.order_subject(order_id), QUEUE_GROUP.into())
		.await
		.context("subscribing")?;
	let (worker, in_flight) = (worker.clone(), in_flight.clone());
	Ok(tokio::spawn(async move {
		while let Some(message) = subscription.next().await {
			let Some(reply) = message.reply else { continue };
			let worker = worker.clone();
			let mut running = in_flight.lock().await;
			// Reap what has finished so that the set stays as large as what is running.
			while running.try_join_next().is_some() {}
			running.spawn(async move { answer(&worker, order_id, message.payload, reply).await });
		}
	}))
}

/// Puts this worker's status into the worker bucket.
async fn put_status(
	buckets: &Buckets,
	name: &str,
	served: &BTreeMap<u64, Served>,
	failed: &HashMap<u64, Failed>,
	host: &FunctionHost,
) {
	let status = WorkerStatus {
		worker: name.to_owned(),
		serving: served.keys().copied().collect(),
		failed: failed.iter().map(|(order, failure)| (*order, failure.reason.clone())).collect(),
		slots: host.config().max_instances,
	};
	let Ok(value) = serde_json::to_vec(&status) else { return };
	if let Err(e) = buckets.workers.put(name, value.into()).await {
		log::warn!("worker {name}: publishing its status: {e}");
	}
}

/// Answers one request message on `reply`.
async fn answer(worker: &WorkerContext, order_id: u64, payload: Bytes, reply: Subject) {
	let chunk = worker.client.server_info().max_payload.saturating_sub(64).clamp(1024, 256 << 10);
	let send = |frame: Frame| {
		let (client, reply) = (worker.client.clone(), reply.clone());
		async move {
			if let Err(e) = client.publish(reply, wire::encode_frame(&frame)).await {
				log::debug!("answering order {order_id}: {e}");
			}
		}
	};
	let failed = |status: u16, message: String| Frame::Failed { status, message };
	let response = match wire::decode_request(&payload) {
		None => {
			send(failed(400, "malformed pool request".into())).await;
			return;
		},
		Some(Incoming::Challenge(challenge)) => {
			Ok(challenge_answer::answer(&worker.host, &challenge).await)
		},
		Some(Incoming::Request(head, body)) => match request(head, body) {
			Ok(request) => worker.host.handle(order_id, request).await,
			Err(e) => {
				send(failed(400, format!("malformed request: {e}"))).await;
				return;
			},
		},
	};
	let response = match response {
		Ok(response) => response,
		Err(rejection) => {
			send(failed(rejection.status(), rejection.to_string())).await;
			return;
		},
	};
	let (parts, mut body) = response.into_parts();
	let head = ResponseHead {
		status: parts.status.as_u16(),
		headers: parts
			.headers
			.iter()
			.map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
			.collect(),
		worker: worker.name.clone(),
	};
	send(Frame::Head(head)).await;
	loop {
		match body.frame().await {
			None => break,
			Some(Ok(frame)) => {
				let Ok(mut data) = frame.into_data() else { continue };
				while !data.is_empty() {
					let piece = data.split_to(chunk.min(data.len()));
					send(Frame::Data(piece)).await;
				}
			},
			Some(Err(e)) => {
				send(failed(502, format!("the response body failed: {e}"))).await;
				return;
			},
		}
	}
	send(Frame::End).await;
}

/// The body of a request carried by the pool: whole, in memory.
type CarriedBody = MapErr<Full<Bytes>, fn(Infallible) -> hyper::Error>;

/// The HTTP request of a request message.
fn request(head: RequestHead, body: Bytes) -> anyhow::Result<hyper::Request<CarriedBody>> {
	let mut builder = hyper::Request::builder().method(head.method.as_str()).uri(head.uri.as_str());
	for (name, value) in head.headers {
		builder = builder.header(name, value);
	}
	let never: fn(Infallible) -> hyper::Error = |never| match never {};
	Ok(builder.body(Full::new(body).map_err(never))?)
}
