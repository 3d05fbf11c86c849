//! The daemon's HTTP/1.1 server (DESIGN §7.2, §8).
//!
//! | route | answer |
//! |---|---|
//! | `/o/{order_id}`, `/o/{order_id}/...` (any method) | the order's function, given the request with its original path and query |
//! | `GET /o/{order_id}/.well-known/defaas/health` | `200 {"orderId":N,"status":"serving"}` if deployed, else `404` |
//! | `POST /.well-known/defaas/challenge` | the capacity challenge: `C = A·B` as `application/octet-stream` |
//! | `GET /healthz` | `200 {"capacity":[[level,count],...]}` (the heartbeat worker's probe) |
//! | `GET /metrics` | Prometheus text |
//! | `PUT /deployments/{order_id}` | the deployment API ([`crate::deploy`]) |
//!
//! Errors of the daemon itself are JSON, `{"error":"<code>","message":"<sentence>"}`; errors of
//! a function (trap, limits) are `text/plain` sentences such as
//! `function trapped: cpu time limit exceeded`.

use crate::{
	deploy::{self, OrderSource},
	host::{FunctionBody, FunctionHost, Rejection},
	metrics::{Metrics, RejectReason},
	store::Store,
};
use bytes::Bytes;
use defaas_offchain_workers::{challenge, freivalds};
use http_body_util::{BodyExt, Full};
use hyper::{body::Incoming, server::conn::http1, service::service_fn, Method, Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::{
	convert::Infallible,
	sync::Arc,
	time::{Duration, Instant},
};
use tokio::{net::TcpListener, sync::mpsc::UnboundedSender};

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

/// Everything the HTTP handlers share.
pub struct AppState {
	/// The function host.
	pub host: Arc<FunctionHost>,
	/// The durable state.
	pub store: Arc<Store>,
	/// The metrics (the same as the host's).
	pub metrics: Arc<Metrics>,
	/// Facts about orders, from the chain.
	pub orders: Arc<dyn OrderSource>,
	/// This provider's account.
	pub provider: [u8; 32],
	/// The public base URL of this daemon (the endpoint registered on chain), without a
	/// trailing slash; deployment answers carry `<public_url>/o/N/`.
	pub public_url: String,
	/// Capacity per level, `(level, count)`, reported on `/healthz` (and from there in the
	/// heartbeat).
	pub capacity: Vec<(u32, u32)>,
	/// Receives the order id of every successful deployment (the bid engine then submits
	/// `fulfill`). Sent again on an idempotent retry.
	pub deployed: UnboundedSender<u64>,
}

/// Serves HTTP/1.1 on `listener` until the returned future is dropped: a task per connection,
/// keep-alive on. Failed accepts (e.g. out of file descriptors) are logged and retried, so the
/// future never completes.
pub async fn serve(listener: TcpListener, state: Arc<AppState>) -> std::io::Result<()> {
	loop {
		let (stream, peer) = match listener.accept().await {
			Ok(accepted) => accepted,
			Err(e) => {
				// Out of file descriptors and the like: back off instead of spinning.
				log::warn!(target: "defaas-provider", "accept failed: {e}");
				tokio::time::sleep(Duration::from_millis(50)).await;
				continue;
			},
		};
		// A response goes out as head and body chunks: without TCP_NODELAY, Nagle's algorithm
		// holds a chunk until the client's delayed ACK (up to 40 ms on Linux).
		if let Err(e) = stream.set_nodelay(true) {
			log::debug!(target: "defaas-provider", "TCP_NODELAY for {peer}: {e}");
		}
		let state = state.clone();
		tokio::spawn(async move {
			let service = service_fn(move |request| {
				let state = state.clone();
				async move { Ok::<_, Infallible>(route(&state, request).await) }
			});
			let connection = http1::Builder::new()
				.timer(TokioTimer::new())
				.header_read_timeout(HEADER_READ_TIMEOUT)
				.keep_alive(true)
				.serve_connection(TokioIo::new(stream), service);
			if let Err(e) = connection.await {
				log::debug!(target: "defaas-provider", "connection from {peer}: {e}");
			}
		});
	}
}

/// Answers one request.
pub async fn route(state: &AppState, request: Request<Incoming>) -> Response<FunctionBody> {
	let path = request.uri().path().to_owned();
	let method = request.method().clone();
	if let Some(rest) = path.strip_prefix(FUNCTIONS_PREFIX) {
		let (id, tail) = rest.find('/').map_or((rest, ""), |slash| rest.split_at(slash));
		let Ok(order_id) = id.parse::<u64>() else {
			return error(404, "not_found", "no such route");
		};
		if tail == challenge::HEALTH_SUFFIX && method == Method::GET {
			return health(state, order_id);
		}
		return function(state, order_id, request).await;
	}
	if let Some(id) = path.strip_prefix(DEPLOYMENTS_PREFIX) {
		if method != Method::PUT {
			return error(405, "method_not_allowed", "use PUT to deploy a package");
		}
		let Ok(order_id) = id.parse::<u64>() else {
			return error(400, "bad_request", "the path must be /deployments/{order_id}");
		};
		return deploy::put_deployment(state, order_id, request).await;
	}
	match (path.as_str(), &method) {
		(HEALTHZ_PATH, &Method::GET) => healthz(state),
		(METRICS_PATH, &Method::GET) => metrics(state),
		(challenge::CHALLENGE_PATH, &Method::POST) => capacity_challenge(state, request).await,
		(HEALTHZ_PATH | METRICS_PATH | challenge::CHALLENGE_PATH, _) => {
			error(405, "method_not_allowed", "method not allowed on this route")
		},
		_ => error(404, "not_found", "no such route"),
	}
}

/// Runs the function of `order_id`.
async fn function(
	state: &AppState,
	order_id: u64,
	request: Request<Incoming>,
) -> Response<FunctionBody> {
	let started = Instant::now();
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
	if state.host.is_serving(order_id) {
		json(200, &serde_json::json!({ "orderId": order_id, "status": "serving" }))
	} else {
		error(404, "unknown_order", &format!("no function is deployed for order {order_id}"))
	}
}

/// The heartbeat worker's probe: free capacity per level.
fn healthz(state: &AppState) -> Response<FunctionBody> {
	let capacity: Vec<[u32; 2]> =
		state.capacity.iter().map(|&(level, count)| [level, count]).collect();
	json(200, &serde_json::json!({ "capacity": capacity }))
}

/// The Prometheus metrics.
fn metrics(state: &AppState) -> Response<FunctionBody> {
	match state.metrics.render() {
		Ok(body) => response(200, "text/plain; version=0.0.4", body),
		Err(e) => error(500, "internal", &format!("cannot render the metrics: {e}")),
	}
}

/// The capacity challenge (DESIGN §7.2): `C = A·B` for the seed, if `n` fits the order's level.
async fn capacity_challenge(
	state: &AppState,
	request: Request<Incoming>,
) -> Response<FunctionBody> {
	let body = match read_body(request.into_body(), challenge::MAX_REQUEST_LEN).await {
		Ok(Some(body)) => body,
		Ok(None) => return error(413, "bad_request", "the challenge request is too large"),
		Err(e) => return error(400, "bad_request", &format!("cannot read the request: {e}")),
	};
	let Some((seed, n, order_id)) = challenge::decode_request(&body) else {
		return error(400, "bad_request", "malformed challenge request");
	};
	let Some(spec) = state.host.spec(order_id) else {
		return error(
			404,
			"unknown_order",
			&format!("no function is deployed for order {order_id}"),
		);
	};
	let allowed = freivalds::matrix_size(spec.memory_mb);
	if n > allowed {
		return error(
			422,
			"challenge_too_large",
			&format!("matrix size {n} exceeds {allowed}, the size of the order's level"),
		);
	}
	let product = tokio::task::spawn_blocking(move || {
		let a = freivalds::matrix(&seed, b'A', n);
		let b = freivalds::matrix(&seed, b'B', n);
		challenge::encode_product(&freivalds::multiply(&a, &b, n))
	})
	.await;
	match product {
		Ok(product) => response(200, challenge::PRODUCT_CONTENT_TYPE, product),
		Err(e) => error(500, "internal", &format!("the multiplication failed: {e}")),
	}
}

/// Reads at most `limit` bytes of `body`: `Ok(None)` if it is longer (nothing more is read).
pub(crate) async fn read_body(
	mut body: Incoming,
	limit: usize,
) -> Result<Option<Vec<u8>>, hyper::Error> {
	let mut out = Vec::new();
	while let Some(frame) = body.frame().await {
		if let Ok(data) = frame?.into_data() {
			if out.len().saturating_add(data.len()) > limit {
				return Ok(None);
			}
			out.extend_from_slice(&data);
		}
	}
	Ok(Some(out))
}

/// A response with `body` of `content_type`.
pub(crate) fn response(
	status: u16,
	content_type: &'static str,
	body: impl Into<Bytes>,
) -> Response<FunctionBody> {
	let mut response =
		Response::new(Full::new(body.into()).map_err(|never| match never {}).boxed());
	*response.status_mut() =
		hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
	response
		.headers_mut()
		.insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static(content_type));
	response
}

/// A `text/plain` response.
pub(crate) fn text(status: u16, body: String) -> Response<FunctionBody> {
	response(status, "text/plain; charset=utf-8", body)
}

/// A JSON response.
pub(crate) fn json(status: u16, value: &serde_json::Value) -> Response<FunctionBody> {
	response(status, "application/json", value.to_string())
}

/// A JSON error: `{"error":code,"message":message}`.
pub(crate) fn error(status: u16, code: &str, message: &str) -> Response<FunctionBody> {
	json(status, &serde_json::json!({ "error": code, "message": message }))
}
