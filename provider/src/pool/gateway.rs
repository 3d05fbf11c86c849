//! A pool's gateway (see [`crate::pool`]): the provider on chain in front of the workers.
//!
//! - [`Gateway::publish`] puts a verified package into the object store (once per hash) and the
//!   deployment record into the deployment bucket; [`Gateway::wait_for_replicas`] waits until
//!   enough live workers serve it; [`Gateway::withdraw`] deletes the record when the lease
//!   ends (every worker stops serving it).
//! - [`Gateway::forward`] carries a function request to the order's queue group and streams the
//!   answer back: no worker serving the order → `503 no_worker`; no answer within the
//!   wall-time limit and a margin → `504 worker_timeout`; a body larger than what one NATS
//!   message carries → `413 request_too_large`. A worker that dies mid-answer aborts that
//!   response only.
//! - A watcher keeps every worker's last status: [`Gateway::health`] counts the live ones
//!   (status younger than [`WORKER_TTL`]) for `/healthz`.

use super::{
	package_object,
	wire::{self, Frame, RequestHead},
	Buckets, Names, PoolDeployment, WorkerStatus, STATUS_RETENTION, WORKER_TTL,
};
use crate::{
	config::{HttpLimits, PoolConfig},
	host::{BoxError, DeploymentSpec, FunctionBody},
	http::{error, read_body, refuse_unread_body, text},
	shutdown::Shutdown,
	store::Store,
};
use anyhow::Context;
use async_nats::{jetstream::kv::Operation, Client, StatusCode};
use bytes::Bytes;
use codec::Encode;
use futures::StreamExt;
use http_body_util::BodyExt;
use hyper::{
	body::{Body, Frame as BodyFrame, Incoming},
	Request, Response,
};
use std::{
	collections::HashMap,
	pin::Pin,
	sync::{Arc, Mutex},
	task::{Context as TaskContext, Poll},
	time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use tokio::sync::{mpsc, watch};

/// What the gateway adds to the wall-time limit before it gives up on a worker's answer.
pub const ANSWER_MARGIN: Duration = Duration::from_secs(2);

/// Room kept in a request message for the NATS protocol line and headers.
const MESSAGE_HEADROOM: usize = 1024;

/// The response header naming the worker that ran the function.
pub const WORKER_HEADER: &str = "defaas-worker";

/// The pool as `/healthz` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolHealth {
	/// Workers whose status is younger than [`WORKER_TTL`].
	pub live: usize,
	/// Workers the gateway knows of: live ones and those silent for less than
	/// [`STATUS_RETENTION`] (a worker that shut down cleanly is forgotten at once).
	pub total: usize,
}

/// A worker's last status and when it was published.
struct Seen {
	status: WorkerStatus,
	at: Instant,
}

/// The gateway's side of the pool.
pub struct Gateway {
	client: Client,
	names: Names,
	buckets: Buckets,
	workers: Arc<Mutex<HashMap<String, Seen>>>,
	changed: watch::Sender<u64>,
	replies: Replies,
	replicas: usize,
	replica_wait: Duration,
	wall_time: Duration,
	watcher: tokio::task::JoinHandle<()>,
}

impl Drop for Gateway {
	fn drop(&mut self) {
		self.watcher.abort();
		self.replies.task.abort();
	}
}

/// The gateway's one reply subscription (`<inbox>.*`), shared by every request in flight: each
/// exchange gets its own subject under it and the frames that arrive there (no subscribe and
/// unsubscribe per request).
struct Replies {
	prefix: String,
	routes: Arc<Mutex<HashMap<u64, mpsc::UnboundedSender<async_nats::Message>>>>,
	next: std::sync::atomic::AtomicU64,
	task: tokio::task::JoinHandle<()>,
}

/// The frames of one exchange; its subject is freed when dropped.
struct Route {
	routes: Arc<Mutex<HashMap<u64, mpsc::UnboundedSender<async_nats::Message>>>>,
	token: u64,
	receiver: mpsc::UnboundedReceiver<async_nats::Message>,
}

impl Replies {
	/// Subscribes to a fresh inbox of `client` and routes what arrives.
	async fn start(client: &Client) -> anyhow::Result<Self> {
		let prefix = client.new_inbox();
		let mut subscription = client
			.subscribe(format!("{prefix}.*"))
			.await
			.context("subscribing to the gateway's reply inbox")?;
		let routes: Arc<Mutex<HashMap<u64, mpsc::UnboundedSender<async_nats::Message>>>> =
			Arc::default();
		let routing = routes.clone();
		let task = tokio::spawn(async move {
			while let Some(message) = subscription.next().await {
				let token = message.subject.rsplit('.').next().and_then(|t| t.parse::<u64>().ok());
				let Some(token) = token else { continue };
				let routes = routing.lock().unwrap_or_else(|p| p.into_inner());
				// A frame for an exchange already given up (timed out, client gone) is dropped.
				if let Some(sender) = routes.get(&token) {
					let _ = sender.send(message);
				}
			}
		});
		Ok(Self { prefix, routes, next: std::sync::atomic::AtomicU64::new(0), task })
	}

	/// A reply subject of its own and the receiver of what arrives there.
	fn route(&self) -> (String, Route) {
		let token = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
		let (sender, receiver) = mpsc::unbounded_channel();
		self.routes.lock().unwrap_or_else(|p| p.into_inner()).insert(token, sender);
		(format!("{}.{token}", self.prefix), Route { routes: self.routes.clone(), token, receiver })
	}
}

impl Route {
	/// The next message of the exchange.
	async fn recv(&mut self) -> Option<async_nats::Message> {
		self.receiver.recv().await
	}
}

impl Drop for Route {
	fn drop(&mut self) {
		self.routes.lock().unwrap_or_else(|p| p.into_inner()).remove(&self.token);
	}
}

impl Gateway {
	/// Connects to the pool's NATS server (retrying until it answers; `None` if `shutdown`
	/// comes first), opens the buckets and starts following the workers' statuses.
	/// `wall_time` is the function wall-time limit the workers apply.
	pub async fn connect(
		config: &PoolConfig,
		name: &str,
		wall_time: Duration,
		shutdown: &Shutdown,
	) -> anyhow::Result<Option<Arc<Self>>> {
		let Some(client) = super::connect(&config.nats_url, name, shutdown).await else {
			return Ok(None);
		};
		let names = Names::of(config);
		let jetstream = async_nats::jetstream::new(client.clone());
		let buckets = Buckets::open(&jetstream, &names).await?;
		let statuses =
			buckets.workers.watch_with_history(">").await.context("watching the worker bucket")?;
		let workers = Arc::new(Mutex::new(HashMap::new()));
		let (changed, _) = watch::channel(0u64);
		let watcher = tokio::spawn(follow_workers(statuses, workers.clone(), changed.clone()));
		let replies = Replies::start(&client).await?;
		Ok(Some(Arc::new(Self {
			client,
			replies,
			names,
			buckets,
			workers,
			changed,
			replicas: usize::try_from(config.replicas).unwrap_or(usize::MAX),
			replica_wait: Duration::from_secs(config.replica_wait_secs),
			wall_time,
			watcher,
		})))
	}

	/// The workers a deployment must be served on before it is confirmed.
	pub fn replicas(&self) -> usize {
		self.replicas
	}

	/// Live and known workers.
	pub fn health(&self) -> PoolHealth {
		let mut workers = self.workers.lock().unwrap_or_else(|p| p.into_inner());
		workers.retain(|_, seen| seen.at.elapsed() < STATUS_RETENTION);
		let live = workers.values().filter(|seen| seen.at.elapsed() < WORKER_TTL).count();
		PoolHealth { live, total: workers.len() }
	}

	/// How many live workers serve `order_id`.
	pub fn serving(&self, order_id: u64) -> usize {
		self.workers_serving(order_id).len()
	}

	/// The names of the live workers serving `order_id`.
	pub fn workers_serving(&self, order_id: u64) -> Vec<String> {
		let workers = self.workers.lock().unwrap_or_else(|p| p.into_inner());
		workers
			.iter()
			.filter(|(_, seen)| {
				seen.at.elapsed() < WORKER_TTL && seen.status.serving.contains(&order_id)
			})
			.map(|(name, _)| name.clone())
			.collect()
	}

	/// Why the live workers could not serve `order_id`, if one of them says so.
	pub fn failure(&self, order_id: u64) -> Option<String> {
		let workers = self.workers.lock().unwrap_or_else(|p| p.into_inner());
		workers.values().filter(|seen| seen.at.elapsed() < WORKER_TTL).find_map(|seen| {
			seen.status
				.failed
				.iter()
				.find(|(order, _)| *order == order_id)
				.map(|(_, why)| format!("worker {}: {why}", seen.status.worker))
		})
	}

	/// Puts the package (unless the object store has it already) and the deployment record of
	/// `order_id` into the pool; the workers start serving it.
	pub async fn publish(
		&self,
		order_id: u64,
		spec: DeploymentSpec,
		package: &[u8],
	) -> anyhow::Result<()> {
		let object = package_object(&spec.package_hash);
		let stored = self.buckets.packages.info(&object).await;
		if !stored.is_ok_and(|info| !info.deleted && info.size == package.len()) {
			self.buckets
				.packages
				.put(object.as_str(), &mut &package[..])
				.await
				.with_context(|| format!("putting package {object} into the object store"))?;
		}
		self.buckets
			.deployments
			.put(order_id.to_string(), PoolDeployment { spec }.encode().into())
			.await
			.with_context(|| format!("putting the deployment record of order {order_id}"))?;
		Ok(())
	}

	/// Waits until [`Gateway::replicas`] live workers serve `order_id` (at most the configured
	/// `replica_wait_secs`: a worker that failed tries again, another may join); the number
	/// serving it then.
	pub async fn wait_for_replicas(&self, order_id: u64) -> usize {
		let mut changed = self.changed.subscribe();
		let deadline = Instant::now() + self.replica_wait;
		loop {
			let serving = self.serving(order_id);
			if serving >= self.replicas {
				return serving;
			}
			let now = Instant::now();
			if now >= deadline {
				return serving;
			}
			// A status that goes stale changes nothing: look again every second at least.
			let wait = deadline.saturating_duration_since(now).min(Duration::from_secs(1));
			let _ = tokio::time::timeout(wait, changed.changed()).await;
		}
	}

	/// Deletes the deployment record of `order_id` (the workers stop serving it) and, unless
	/// another deployment uses it (`package_in_use`), its package.
	pub async fn withdraw(
		&self,
		order_id: u64,
		spec: &DeploymentSpec,
		package_in_use: bool,
	) -> anyhow::Result<()> {
		self.buckets
			.deployments
			.delete(order_id.to_string())
			.await
			.with_context(|| format!("deleting the deployment record of order {order_id}"))?;
		if !package_in_use {
			let object = package_object(&spec.package_hash);
			if let Err(e) = self.buckets.packages.delete(&object).await {
				log::warn!("deleting package {object} from the object store: {e}");
			}
		}
		Ok(())
	}

	/// Publishes every deployment of the gateway's store again (at start: the pool's buckets
	/// may have lost what the store keeps); the number published and the failures.
	pub async fn republish(&self, store: &Store) -> anyhow::Result<(usize, Vec<(u64, String)>)> {
		let mut published = 0usize;
		let mut failed = Vec::new();
		for order_id in store.deployment_ids()? {
			let Some(record) = store.deployment(order_id)? else { continue };
			match self.publish(order_id, record.spec, &record.package).await {
				Ok(()) => published = published.saturating_add(1),
				Err(e) => failed.push((order_id, format!("{e:#}"))),
			}
		}
		Ok((published, failed))
	}

	/// Carries a function request for `order_id` to a worker and its answer back.
	pub async fn forward(
		&self,
		order_id: u64,
		request: Request<Incoming>,
		http: &HttpLimits,
	) -> Response<FunctionBody> {
		let (parts, mut body) = request.into_parts();
		let head = RequestHead {
			method: parts.method.as_str().to_owned(),
			uri: parts.uri.path_and_query().map_or("/", |pq| pq.as_str()).to_owned(),
			headers: parts
				.headers
				.iter()
				.map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
				.collect(),
		};
		let max_payload = self.client.server_info().max_payload;
		let limit =
			max_payload.saturating_sub(head.encoded_size()).saturating_sub(MESSAGE_HEADROOM);
		let too_large = || {
			error(
				413,
				"request_too_large",
				&format!("the pool carries request bodies of at most {limit} bytes"),
			)
		};
		let announced = parts
			.headers
			.get(hyper::header::CONTENT_LENGTH)
			.and_then(|v| v.to_str().ok())
			.and_then(|v| v.trim().parse::<u64>().ok());
		if announced.is_some_and(|length| length > u64::try_from(limit).unwrap_or(u64::MAX)) {
			return refuse_unread_body(too_large(), &parts.headers, body);
		}
		let read = tokio::time::timeout(http.body_deadline(limit), read_body(&mut body, limit));
		let bytes = match read.await {
			Ok(Ok(Some(bytes))) => bytes,
			Ok(Ok(None)) => return refuse_unread_body(too_large(), &parts.headers, body),
			Ok(Err(e)) => {
				return error(400, "bad_request", &format!("cannot read the request: {e}"))
			},
			Err(_elapsed) => {
				return error(408, "request_timeout", "the request body did not arrive in time")
			},
		};
		self.exchange(order_id, wire::encode_request(&head, &bytes)).await
	}

	/// Carries a capacity challenge (its request body) to a worker serving its order.
	pub async fn challenge(&self, request: &[u8]) -> Response<FunctionBody> {
		let Some((_, _, order_id)) = defaas_offchain_workers::challenge::decode_request(request)
		else {
			return error(400, "bad_request", "malformed challenge request");
		};
		self.exchange(order_id, wire::encode_challenge(request)).await
	}

	/// Sends `message` to the queue group of `order_id` and turns the answer into a response.
	async fn exchange(&self, order_id: u64, message: Vec<u8>) -> Response<FunctionBody> {
		let unavailable =
			|e: &dyn std::fmt::Display| error(502, "pool_unavailable", &format!("the pool: {e}"));
		let (inbox, mut answers) = self.replies.route();
		// Headers make the server answer "no responders" when no worker serves the order.
		let mut headers = async_nats::HeaderMap::new();
		headers.insert("Defaas-Order", order_id.to_string().as_str());
		let subject = self.names.order_subject(order_id);
		if let Err(e) = self
			.client
			.publish_with_reply_and_headers(subject, inbox, headers, message.into())
			.await
		{
			return unavailable(&e);
		}
		let deadline = tokio::time::Instant::now() + self.wall_time + ANSWER_MARGIN;
		let first = match tokio::time::timeout_at(deadline, answers.recv()).await {
			Err(_elapsed) => {
				return error(504, "worker_timeout", "no worker answered within the time limit")
			},
			Ok(None) => return unavailable(&"the connection closed"),
			Ok(Some(first)) => first,
		};
		if first.status == Some(StatusCode::NO_RESPONDERS) {
			return error(503, "no_worker", &format!("no worker serves order {order_id} now"));
		}
		let head = match wire::decode_frame(&first.payload) {
			Some(Frame::Head(head)) => head,
			Some(Frame::Failed { status: 404, .. }) => {
				return error(
					404,
					"unknown_order",
					&format!("no function is deployed for order {order_id}"),
				)
			},
			Some(Frame::Failed { status, message }) => return text(status, format!("{message}\n")),
			_ => return error(502, "bad_worker_answer", "a worker answered something else"),
		};
		let mut builder = Response::builder().status(head.status);
		for (name, value) in &head.headers {
			builder = builder.header(name.as_str(), value.as_slice());
		}
		builder = builder.header(WORKER_HEADER, head.worker.as_str());
		let (sender, receiver) = mpsc::channel(16);
		let body = ChannelBody(receiver);
		let response = match builder.body(body.boxed()) {
			Ok(response) => response,
			Err(e) => return error(502, "bad_worker_answer", &format!("a worker's head: {e}")),
		};
		tokio::spawn(async move {
			loop {
				let piece: Option<Result<Bytes, BoxError>> =
					match tokio::time::timeout_at(deadline, answers.recv()).await {
						Err(_elapsed) => Some(Err("the worker did not finish in time".into())),
						Ok(None) => Some(Err("the connection to the pool closed".into())),
						Ok(Some(message)) => match wire::decode_frame(&message.payload) {
							Some(Frame::Data(data)) => Some(Ok(data)),
							Some(Frame::End) => None,
							Some(Frame::Failed { message, .. }) => Some(Err(message.into())),
							_ => Some(Err("a malformed frame".into())),
						},
					};
				let Some(piece) = piece else { break };
				let last = piece.is_err();
				// The client went away: stop reading (the subscription ends with this task).
				if sender.send(piece).await.is_err() || last {
					break;
				}
			}
		});
		response
	}
}

/// Keeps `workers` up to date with the worker bucket; bumps `changed` on every update.
async fn follow_workers(
	mut statuses: async_nats::jetstream::kv::Watch,
	workers: Arc<Mutex<HashMap<String, Seen>>>,
	changed: watch::Sender<u64>,
) {
	while let Some(entry) = statuses.next().await {
		let entry = match entry {
			Ok(entry) => entry,
			Err(e) => {
				log::warn!("watching the worker bucket: {e}");
				continue;
			},
		};
		{
			let mut workers = workers.lock().unwrap_or_else(|p| p.into_inner());
			match entry.operation {
				Operation::Put => match serde_json::from_slice::<WorkerStatus>(&entry.value) {
					Ok(status) => {
						// A status from the history is as old as the bucket says.
						let age = age_of(entry.created.unix_timestamp_nanos());
						let at = Instant::now().checked_sub(age).unwrap_or_else(Instant::now);
						if !workers.contains_key(&entry.key) {
							log::info!("pool: worker {} joined", entry.key);
						}
						workers.insert(entry.key.clone(), Seen { status, at });
					},
					Err(e) => log::warn!("pool: worker {}: malformed status: {e}", entry.key),
				},
				Operation::Delete | Operation::Purge => {
					if workers.remove(&entry.key).is_some() {
						log::info!("pool: worker {} left", entry.key);
					}
				},
			}
		}
		changed.send_modify(|count| *count = count.wrapping_add(1));
	}
	log::warn!("pool: the worker bucket's watch ended");
}

/// How long ago the Unix time `nanos` was (zero if in the future).
fn age_of(nanos: i128) -> Duration {
	let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
	let then = u128::try_from(nanos).unwrap_or(0);
	Duration::from_nanos(u64::try_from(now.saturating_sub(then)).unwrap_or(u64::MAX))
}

/// A response body fed by a channel of pieces; an error aborts the response.
struct ChannelBody(mpsc::Receiver<Result<Bytes, BoxError>>);

impl Body for ChannelBody {
	type Data = Bytes;
	type Error = BoxError;

	fn poll_frame(
		mut self: Pin<&mut Self>,
		cx: &mut TaskContext<'_>,
	) -> Poll<Option<Result<BodyFrame<Bytes>, BoxError>>> {
		self.0.poll_recv(cx).map(|piece| piece.map(|piece| piece.map(BodyFrame::data)))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn ages_count_from_now() {
		let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
		let ten_ago = i128::try_from(now).unwrap() - 10_000_000_000;
		let age = age_of(ten_ago);
		assert!(age >= Duration::from_secs(10) && age < Duration::from_secs(60), "{age:?}");
		assert_eq!(age_of(i128::MAX), Duration::ZERO, "a time in the future is now");
	}
}
