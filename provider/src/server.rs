//! The daemon's HTTP/1.1 server (docs/architecture.md §7.2, §8).
//!
//! | route | answer |
//! |---|---|
//! | `/o/{order_id}`, `/o/{order_id}/...` (any method) | the order's function, given the request with its original path and query |
//! | `GET /o/{order_id}/.well-known/defaas/health` | `200 {"orderId":N,"status":"serving"}` if deployed, else `404` |
//! | `POST /.well-known/defaas/challenge` | the capacity challenge: `C = A·B` as `application/octet-stream` |
//! | `GET /healthz` | `200 {"capacity":[[level,count],...]}` (the heartbeat worker's probe); a pool gateway adds `"pool":{"workers":{"live":N,"total":M}}` and answers `503` with no live worker |
//! | `GET /metrics` | Prometheus text |
//! | `GET /openapi.json` | the OpenAPI document of this API (`provider/api/openapi.json`) |
//! | `PUT /deployments/{order_id}` | the deployment API ([`crate::deploy`]) |
//!
//! Errors of the daemon itself are JSON, `{"error":"<code>","message":"<sentence>"}`; errors of
//! a function (trap, limits) are `text/plain` sentences such as
//! `function trapped: cpu time limit exceeded`.
//!
//! **Shutdown.** [`Server::start`] serves until its [`Shutdown`] is triggered; then it closes
//! the listener (new connections are refused), lets every open connection finish the request
//! it is serving — idle keep-alive connections close at once — and aborts those still busy
//! after the drain timeout. [`Server::stopped`] resolves when every connection is gone, with it
//! every reference the server held to the [`AppState`].

use crate::{
	app::AppState,
	challenge_answer, deploy,
	host::{FunctionBody, Rejection},
	http::{error, json, read_body, refuse_unread_body, response, text, ClientAddr},
	metrics::RejectReason,
	shutdown::Shutdown,
};
use defaas_offchain_workers::challenge;
use hyper::{body::Incoming, server::conn::http1, service::service_fn, Method, Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::{
	collections::HashMap,
	convert::Infallible,
	net::{IpAddr, SocketAddr},
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};
use tokio::{
	net::{TcpListener, TcpStream},
	sync::watch,
	task::{JoinHandle, JoinSet},
};

/// Path of this API's OpenAPI document.
pub const OPENAPI_PATH: &str = "/openapi.json";

/// The OpenAPI document of this API (`provider/api/openapi.json`).
pub const OPENAPI: &str = include_str!("../api/openapi.json");

/// Path of the daemon's own health check.
pub const HEALTHZ_PATH: &str = "/healthz";

/// Path of the Prometheus metrics.
pub const METRICS_PATH: &str = "/metrics";

/// Prefix of the deployment API's paths.
pub const DEPLOYMENTS_PREFIX: &str = "/deployments/";

/// Prefix of the functions' paths.
pub const FUNCTIONS_PREFIX: &str = "/o/";

/// How long a connection may take to send a request head.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Where a [`Server`] is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
	/// Accepting connections.
	Serving,
	/// The listener is closed (new connections are refused); open connections finish.
	Draining,
	/// Every connection is closed.
	Stopped,
}

/// How the connections ended at shutdown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DrainReport {
	/// Connections still open when the listener was closed (one that closes at that very
	/// moment may be missed).
	pub open: usize,
	/// Of those, connections still busy at the drain timeout, aborted.
	pub aborted: usize,
}

/// A running HTTP server (a task); see the module documentation for its shutdown.
pub struct Server {
	addr: SocketAddr,
	shutdown: Shutdown,
	phase: watch::Receiver<Phase>,
	task: JoinHandle<DrainReport>,
}

impl Server {
	/// Serves HTTP/1.1 on `listener` (a task per connection, keep-alive on) until `shutdown`
	/// is triggered; busy connections get `drain_timeout` to finish after that.
	pub fn start(
		listener: TcpListener,
		state: Arc<AppState>,
		shutdown: Shutdown,
		drain_timeout: Duration,
	) -> std::io::Result<Self> {
		let addr = listener.local_addr()?;
		let (phase_sender, phase) = watch::channel(Phase::Serving);
		let task =
			tokio::spawn(run(listener, state, shutdown.clone(), drain_timeout, phase_sender));
		Ok(Self { addr, shutdown, phase, task })
	}

	/// The address the server listens on.
	pub fn local_addr(&self) -> SocketAddr {
		self.addr
	}

	/// Triggers the shutdown (of everything sharing the server's [`Shutdown`]).
	pub fn shutdown(&self) {
		self.shutdown.trigger();
	}

	/// The server's phase now.
	pub fn phase(&self) -> Phase {
		*self.phase.borrow()
	}

	/// Resolves once the server reached `phase` (at once if it is already past it).
	pub async fn reached(&self, phase: Phase) {
		let mut receiver = self.phase.clone();
		// The task ends only after announcing `Stopped`: a closed channel means it panicked.
		let _ = receiver.wait_for(|now| *now >= phase).await;
	}

	/// Waits until the server has stopped: the listener closed, every connection finished or
	/// aborted, and the server's references to the state dropped. Resumes a panic of the
	/// server task.
	pub async fn stopped(self) -> DrainReport {
		match self.task.await {
			Ok(report) => report,
			Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
			Err(_cancelled) => DrainReport::default(),
		}
	}
}

/// The server task: accept until the shutdown, then drain.
async fn run(
	listener: TcpListener,
	state: Arc<AppState>,
	shutdown: Shutdown,
	drain_timeout: Duration,
	phase: watch::Sender<Phase>,
) -> DrainReport {
	let mut connections = JoinSet::new();
	let open = Arc::new(OpenConnections::new(&state.http));
	loop {
		tokio::select! {
			biased;
			() = shutdown.triggered() => break,
			// Reap finished connections as they end.
			Some(_) = connections.join_next(), if !connections.is_empty() => {},
			accepted = listener.accept() => match accepted {
				Ok((stream, peer)) => match open.admit(peer.ip()) {
					Some(admitted) => {
						let state = state.clone();
						let shutdown = shutdown.clone();
						connections.spawn(async move {
							connection(stream, peer, state, shutdown).await;
							drop(admitted);
						});
					},
					None => {
						state.metrics.refuse_connection();
						connections.spawn(refuse_connection(stream, peer));
					},
				},
				Err(e) => {
					// Out of file descriptors and the like: back off instead of spinning.
					log::warn!(target: "defaas-provider", "accept failed: {e}");
					tokio::select! {
						() = shutdown.triggered() => break,
						() = tokio::time::sleep(Duration::from_millis(50)) => {},
					}
				},
			},
		}
	}
	drop(listener);
	drop(state);
	phase.send_replace(Phase::Draining);
	let open = connections.len();
	log::info!(target: "defaas-provider", "HTTP server: listener closed; draining {open} connection(s)");
	let drained = tokio::time::timeout(drain_timeout, async {
		while connections.join_next().await.is_some() {}
	})
	.await;
	let aborted = connections.len();
	if drained.is_err() {
		log::warn!(
			target: "defaas-provider",
			"HTTP server: {aborted} connection(s) still busy after {drain_timeout:?}; aborting them"
		);
	}
	// Aborts what is left and waits until every connection task (and its state) is dropped.
	connections.shutdown().await;
	phase.send_replace(Phase::Stopped);
	DrainReport { open, aborted }
}

/// Serves one connection; on shutdown, finishes the request in progress and closes.
async fn connection(stream: TcpStream, peer: SocketAddr, state: Arc<AppState>, shutdown: Shutdown) {
	// A response goes out as head and body chunks: without TCP_NODELAY, Nagle's algorithm
	// holds a chunk until the client's delayed ACK (up to 40 ms on Linux).
	if let Err(e) = stream.set_nodelay(true) {
		log::debug!(target: "defaas-provider", "TCP_NODELAY for {peer}: {e}");
	}
	let service = service_fn(move |mut request: Request<Incoming>| {
		let state = state.clone();
		request.extensions_mut().insert(ClientAddr(peer.ip()));
		async move { Ok::<_, Infallible>(route(&state, request).await) }
	});
	let connection = http1::Builder::new()
		.timer(TokioTimer::new())
		.header_read_timeout(HEADER_READ_TIMEOUT)
		.keep_alive(true)
		.serve_connection(TokioIo::new(stream), service);
	let mut connection = std::pin::pin!(connection);
	let result = tokio::select! {
		result = connection.as_mut() => result,
		() = shutdown.triggered() => {
			connection.as_mut().graceful_shutdown();
			connection.await
		},
	};
	if let Err(e) = result {
		log::debug!(target: "defaas-provider", "connection from {peer}: {e}");
	}
}

/// The connections open, in total and per client address, against the caps of
/// [`HttpLimits`](crate::config::HttpLimits).
struct OpenConnections {
	max: usize,
	max_per_source: usize,
	open: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

/// An admitted connection; counted until dropped.
struct Admitted {
	connections: Arc<OpenConnections>,
	source: IpAddr,
}

impl OpenConnections {
	fn new(limits: &crate::config::HttpLimits) -> Self {
		Self {
			max: limits.max_connections,
			max_per_source: limits.max_connections_per_source,
			open: Mutex::new((0, HashMap::new())),
		}
	}

	/// Counts a connection from `source` if both caps allow it.
	fn admit(self: &Arc<Self>, source: IpAddr) -> Option<Admitted> {
		let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		let (total, per_source) = &mut *open;
		let from_source = per_source.entry(source).or_insert(0);
		if *total >= self.max || *from_source >= self.max_per_source {
			if *from_source == 0 {
				per_source.remove(&source);
			}
			return None;
		}
		*from_source = from_source.saturating_add(1);
		*total = total.saturating_add(1);
		Some(Admitted { connections: self.clone(), source })
	}
}

impl Drop for Admitted {
	fn drop(&mut self) {
		let mut open =
			self.connections.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		let (total, per_source) = &mut *open;
		*total = total.saturating_sub(1);
		if let Some(count) = per_source.get_mut(&self.source) {
			*count = count.saturating_sub(1);
			if *count == 0 {
				per_source.remove(&self.source);
			}
		}
	}
}

/// The answer to a connection over a cap: `503` with a JSON error, then the connection closes.
const TOO_MANY_CONNECTIONS: &str = "{\"error\":\"too_many_connections\",\"message\":\"too many \
	open connections from this address or in total; retry later\"}";

/// How long a refused connection may take to take its `503`.
const REFUSAL_WRITE_TIMEOUT: Duration = Duration::from_secs(1);

/// Answers a connection over a cap with `503` and closes it, without reading its request.
async fn refuse_connection(mut stream: TcpStream, peer: SocketAddr) {
	use tokio::io::AsyncWriteExt;
	let answer = format!(
		"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
		 content-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{}",
		TOO_MANY_CONNECTIONS.len(),
		TOO_MANY_CONNECTIONS
	);
	let write = async {
		stream.write_all(answer.as_bytes()).await?;
		stream.shutdown().await
	};
	if let Err(e) = tokio::time::timeout(REFUSAL_WRITE_TIMEOUT, write)
		.await
		.unwrap_or_else(|elapsed| Err(elapsed.into()))
	{
		log::debug!(target: "defaas-provider", "refusing a connection from {peer}: {e}");
	}
}

/// An order id in a path: decimal digits without a sign or leading zeros (`0`, `17`), so that
/// one order has one path.
pub fn parse_order_id(text: &str) -> Option<u64> {
	let canonical = !text.is_empty()
		&& text.bytes().all(|b| b.is_ascii_digit())
		&& (text == "0" || !text.starts_with('0'));
	canonical.then(|| text.parse().ok()).flatten()
}

/// Whether `path` has a `.` or `..` segment, plain or percent-encoded: such paths are refused
/// rather than served under a name other than their own.
pub fn has_dot_segment(path: &str) -> bool {
	path.split('/').any(|segment| {
		let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
		decoded == "." || decoded == ".."
	})
}

/// Answers one request.
pub async fn route(state: &AppState, request: Request<Incoming>) -> Response<FunctionBody> {
	let path = request.uri().path().to_owned();
	let method = request.method().clone();
	if has_dot_segment(&path) {
		return error(400, "bad_request", "the path has a '.' or '..' segment");
	}
	if let Some(rest) = path.strip_prefix(FUNCTIONS_PREFIX) {
		let (id, tail) = rest.find('/').map_or((rest, ""), |slash| rest.split_at(slash));
		let Some(order_id) = parse_order_id(id) else {
			return error(404, "not_found", "no such route");
		};
		if tail == challenge::HEALTH_SUFFIX && method == Method::GET {
			return health(state, order_id);
		}
		return function(state, order_id, request).await;
	}
	if let Some(id) = path.strip_prefix(DEPLOYMENTS_PREFIX) {
		if method != Method::PUT {
			return method_not_allowed("PUT", "use PUT to deploy a package");
		}
		let Some(order_id) = parse_order_id(id) else {
			return error(400, "bad_request", "the path must be /deployments/{order_id}");
		};
		return deploy::put_deployment(state, order_id, request).await;
	}
	match (path.as_str(), &method) {
		(HEALTHZ_PATH, &Method::GET) => healthz(state),
		(METRICS_PATH, &Method::GET) => metrics(state),
		(OPENAPI_PATH, &Method::GET) => {
			response(200, "application/json", OPENAPI.as_bytes().to_vec())
		},
		(challenge::CHALLENGE_PATH, &Method::POST) => capacity_challenge(state, request).await,
		(HEALTHZ_PATH | METRICS_PATH | OPENAPI_PATH, _) => {
			method_not_allowed("GET", "use GET on this route")
		},
		(challenge::CHALLENGE_PATH, _) => method_not_allowed("POST", "use POST on this route"),
		_ => error(404, "not_found", "no such route"),
	}
}

/// `405` with the `Allow` header RFC 9110 requires.
fn method_not_allowed(allow: &'static str, message: &str) -> Response<FunctionBody> {
	let mut refusal = error(405, "method_not_allowed", message);
	refusal
		.headers_mut()
		.insert(hyper::header::ALLOW, hyper::header::HeaderValue::from_static(allow));
	refusal
}

/// Runs the function of `order_id`.
async fn function(
	state: &AppState,
	order_id: u64,
	request: Request<Incoming>,
) -> Response<FunctionBody> {
	let started = Instant::now();
	if let Some(pool) = &state.pool {
		let response = pool.forward(order_id, request, &state.http).await;
		state.metrics.observe_request(
			order_id,
			response.status().as_u16(),
			started.elapsed().as_secs_f64(),
		);
		return response;
	}
	match state.host.handle(order_id, request).await {
		Ok(response) => {
			let seconds = started.elapsed().as_secs_f64();
			state.metrics.observe_request(order_id, response.status().as_u16(), seconds);
			response
		},
		Err(Rejection::UnknownOrder) => {
			state.metrics.reject(RejectReason::UnknownOrder);
			error(404, "unknown_order", &format!("no function is deployed for order {order_id}"))
		},
		Err(rejection) => {
			let status = rejection.status();
			state.metrics.observe_request(order_id, status, started.elapsed().as_secs_f64());
			text(status, format!("{rejection}\n"))
		},
	}
}

/// The liveness probe of an order.
fn health(state: &AppState, order_id: u64) -> Response<FunctionBody> {
	let serving = match &state.pool {
		Some(pool) => pool.serving(order_id) > 0,
		None => state.host.is_serving(order_id),
	};
	if serving {
		json(200, &serde_json::json!({ "orderId": order_id, "status": "serving" }))
	} else {
		error(404, "unknown_order", &format!("no function is deployed for order {order_id}"))
	}
}

/// The heartbeat worker's probe: capacity per level. A pool gateway adds its workers, live
/// and known, and answers `503` while no worker is live (the pool serves nothing then).
fn healthz(state: &AppState) -> Response<FunctionBody> {
	let capacity: Vec<[u32; 2]> =
		state.capacity.iter().map(|&(level, count)| [level, count]).collect();
	match &state.pool {
		None => json(200, &serde_json::json!({ "capacity": capacity })),
		Some(pool) => {
			let health = pool.health();
			let status = if health.live == 0 { 503 } else { 200 };
			json(
				status,
				&serde_json::json!({
					"capacity": capacity,
					"pool": { "workers": { "live": health.live, "total": health.total } },
				}),
			)
		},
	}
}

/// The Prometheus metrics.
fn metrics(state: &AppState) -> Response<FunctionBody> {
	match state.metrics.render() {
		Ok(body) => response(200, "text/plain; version=0.0.4", body),
		Err(e) => error(500, "internal", &format!("cannot render the metrics: {e}")),
	}
}

/// The capacity challenge (docs/architecture.md §7.2): `C = A·B` for the seed, if `n` fits the
/// order's level.
async fn capacity_challenge(
	state: &AppState,
	request: Request<Incoming>,
) -> Response<FunctionBody> {
	let (parts, mut body) = request.into_parts();
	let limit = challenge::MAX_REQUEST_LEN;
	let read = tokio::time::timeout(state.http.body_deadline(limit), read_body(&mut body, limit));
	let bytes = match read.await {
		Ok(Ok(Some(bytes))) => bytes,
		Ok(Ok(None)) => {
			let refusal = error(413, "request_too_large", "the challenge request is too large");
			return refuse_unread_body(refusal, &parts.headers, body);
		},
		Ok(Err(e)) => return error(400, "bad_request", &format!("cannot read the request: {e}")),
		Err(_elapsed) => return body_timeout(),
	};
	match &state.pool {
		Some(pool) => pool.challenge(&bytes).await,
		None => challenge_answer::answer(&state.host, &bytes).await,
	}
}

/// The answer to a request whose body did not arrive in time (the connection then closes: the
/// rest of the body is never read).
pub fn body_timeout() -> Response<FunctionBody> {
	error(408, "request_timeout", "the request body did not arrive in time")
}
