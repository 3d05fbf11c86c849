//! The deployment API (docs/architecture.md §8): `PUT /deployments/{order_id}` with the package as the body.
//!
//! The customer authenticates with two headers: [`TIMESTAMP_HEADER`] (Unix seconds) and
//! [`SIGNATURE_HEADER`] (`0x` + 128 hex digits), an sr25519 signature of
//! [`deploy_message`](defaas_primitives::deploy::deploy_message)`(order_id, package_hash,
//! timestamp)` by the order's customer. The checks run in this order, each failing with its own
//! JSON error `{"error":"<code>","message":"<sentence>"}` and leaving the host and the store
//! untouched:
//!
//! | status | code | when |
//! |---|---|---|
//! | 400 | `bad_request` | a header is missing or malformed |
//! | 401 | `stale_timestamp` | the timestamp is more than 300 s away from the daemon's clock |
//! | 429 | `too_many_requests` | the client's address made too many deployment requests (`[http] deploy_lookup_burst`, `deploy_lookups_per_minute`); `Retry-After` says when to come back — before any chain lookup |
//! | 404 | `unknown_order` | the chain has no such order |
//! | 409 | `not_matched` | the order is not matched to this provider (lease or Confirming candidate) |
//! | 409 | `order_ended` | the order has ended |
//! | 401 | `bad_signature` | the signature is not the customer's over the order's package hash |
//! | 409 | `upload_in_progress` | another upload of the same order is being received or installed |
//! | 503 | `uploads_busy` | the bytes of the uploads in progress leave no room for this one (`[http] max_upload_mb_in_flight`) |
//! | 413 | `package_too_large` | the body is larger than the level's `package_mb` MiB |
//! | 422 | `hash_mismatch` | `blake2_256(body)` is not the order's `package_hash` |
//! | 422 | `invalid_component` | the body is not a `wasi:http` component |
//! | 503 | `chain_unavailable` | the order could not be looked up |
//! | 500 | `internal` | the daemon could not store the deployment |
//! | 503 | `pool_unavailable` | a pool gateway could not put the deployment into the pool |
//! | 503 | `replicas_unavailable` | fewer of the pool's workers than `[pool] replicas` serve it after `replica_wait_secs` (or one cannot); the deployment stays: a retry waits again |
//!
//! The signature is checked against the order's `package_hash` before the body is read, so an
//! unauthenticated client cannot make the daemon buffer, hash or compile a package. The unread
//! rest of a refused request's body is discarded (bounded) so that the client can read the
//! refusal: see [`crate::http`]. On success the deployment is stored, then the order id is sent
//! on [`AppState::deployed`] and the daemon answers `201` (`200` when the same package is
//! already deployed: nothing is compiled again) with
//! `{"orderId":N,"packageHash":"0x..","url":"<public_url>/o/N/","status":"deployed"}`.

use crate::{
	app::{AppState, UploadRefusal},
	auth,
	host::{DeployError, Deployed, DeploymentSpec, FunctionBody, FunctionHost, Optimization},
	http::{error, json, read_body, refuse_unread_body, ClientAddr},
	store::{DeploymentRecord, Store},
};
use defaas_primitives::{
	deploy::{
		package_hash, parse_signature, MAX_CLOCK_SKEW_SECS, SIGNATURE_HEADER, TIMESTAMP_HEADER,
	},
	json::to_hex,
	OrderId,
};
use hyper::{body::Incoming, HeaderMap, Request, Response};
use std::{
	net::{IpAddr, Ipv4Addr},
	sync::Arc,
	time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

/// How long the deployment API waits for the chain.
const CHAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// The current Unix time, seconds.
fn now_secs() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Handles `PUT /deployments/{order_id}`.
pub async fn put_deployment(
	state: &AppState,
	order_id: OrderId,
	request: Request<Incoming>,
) -> Response<FunctionBody> {
	let (parts, mut body) = request.into_parts();
	let source = parts
		.extensions
		.get::<ClientAddr>()
		.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |client| client.0);
	match deploy(state, order_id, source, &parts.headers, &mut body).await {
		Ok(response) => response,
		Err(failure) => {
			let mut refusal = error(failure.status, failure.code, &failure.message);
			if let Some(seconds) = failure.retry_after {
				refusal.headers_mut().insert(hyper::header::RETRY_AFTER, seconds.into());
			}
			refuse_unread_body(refusal, &parts.headers, body)
		},
	}
}

/// A refused deployment.
struct Failure {
	status: u16,
	code: &'static str,
	message: String,
	/// Seconds for a `Retry-After` header.
	retry_after: Option<u64>,
}

fn fail(status: u16, code: &'static str, message: impl Into<String>) -> Failure {
	Failure { status, code, message: message.into(), retry_after: None }
}

/// The checks and the deployment, in the documented order.
async fn deploy(
	state: &AppState,
	order_id: OrderId,
	source: IpAddr,
	headers: &HeaderMap,
	body: &mut Incoming,
) -> Result<Response<FunctionBody>, Failure> {
	let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
	let timestamp =
		header(TIMESTAMP_HEADER).and_then(|v| v.trim().parse::<u64>().ok()).ok_or_else(|| {
			fail(
				400,
				"bad_request",
				format!("missing or malformed {TIMESTAMP_HEADER} header (Unix seconds)"),
			)
		})?;
	let signature =
		header(SIGNATURE_HEADER).and_then(|v| parse_signature(v.trim())).ok_or_else(|| {
			fail(
				400,
				"bad_request",
				format!("missing or malformed {SIGNATURE_HEADER} header (0x and 128 hex digits)"),
			)
		})?;
	let announced = match header(hyper::header::CONTENT_LENGTH.as_str()) {
		None => None,
		Some(v) => Some(
			v.trim()
				.parse::<u64>()
				.map_err(|_| fail(400, "bad_request", "malformed Content-Length header"))?,
		),
	};

	if now_secs().abs_diff(timestamp) > MAX_CLOCK_SKEW_SECS {
		return Err(fail(
			401,
			"stale_timestamp",
			format!("the timestamp is more than {MAX_CLOCK_SKEW_SECS} s away from the provider's clock; sign again"),
		));
	}

	if let Err(retry_after) = state.lookups.take(source, Instant::now()) {
		return Err(Failure {
			retry_after: Some(retry_after),
			..fail(
				429,
				"too_many_requests",
				format!("too many deployment requests from {source}; retry in {retry_after} s"),
			)
		});
	}
	let order = match tokio::time::timeout(CHAIN_TIMEOUT, state.orders.order(order_id)).await {
		Ok(Ok(Some(order))) => order,
		Ok(Ok(None)) => {
			return Err(fail(404, "unknown_order", format!("the chain has no order {order_id}")))
		},
		Ok(Err(e)) => {
			return Err(fail(503, "chain_unavailable", format!("cannot look the order up: {e:#}")))
		},
		Err(_) => return Err(fail(503, "chain_unavailable", "the chain did not answer in time")),
	};
	if order.matched_provider != Some(state.provider) {
		return Err(fail(
			409,
			"not_matched",
			format!("order {order_id} is not matched to this provider"),
		));
	}
	if order.ended {
		return Err(fail(409, "order_ended", format!("order {order_id} has ended")));
	}
	if !auth::verify_deployment(
		&order.customer,
		&signature,
		order_id,
		&order.package_hash,
		timestamp,
	) {
		return Err(fail(
			401,
			"bad_signature",
			"the signature is not the order's customer's over (order id, package hash, timestamp)",
		));
	}

	let limit = order.package_limit();
	let too_large = || {
		fail(
			413,
			"package_too_large",
			format!("the package exceeds the level's limit of {} MiB", order.package_mb),
		)
	};
	if announced.is_some_and(|length| length > u64::try_from(limit).unwrap_or(u64::MAX)) {
		return Err(too_large());
	}
	let limit_bytes = u64::try_from(limit).unwrap_or(u64::MAX);
	let _admitted =
		state.uploads.admit(order_id, announced.unwrap_or(limit_bytes)).map_err(|refusal| {
			match refusal {
				UploadRefusal::InProgress => fail(
					409,
					"upload_in_progress",
					format!(
						"another upload of order {order_id} is in progress; retry when it is done"
					),
				),
				UploadRefusal::NoRoom => fail(
					503,
					"uploads_busy",
					"the uploads in progress leave no room for this one; retry shortly",
				),
			}
		})?;
	let read = tokio::time::timeout(state.http.body_deadline(limit), read_body(body, limit));
	let package = match read.await {
		Ok(Ok(Some(package))) => package,
		Ok(Ok(None)) => return Err(too_large()),
		Ok(Err(e)) => {
			return Err(fail(400, "bad_request", format!("cannot read the package: {e}")))
		},
		Err(_elapsed) => {
			return Err(fail(408, "request_timeout", "the package did not arrive in time"))
		},
	};
	let package_hash = package_hash(&package);
	if package_hash != order.package_hash {
		return Err(fail(
			422,
			"hash_mismatch",
			format!(
				"the package hashes to {}, the order expects {}",
				to_hex(&package_hash),
				to_hex(&order.package_hash)
			),
		));
	}

	let spec = order.spec();
	let stored =
		matches!(state.store.deployment_spec(order_id), Ok(Some(stored)) if stored == spec);
	let already = stored && (state.pool.is_some() || state.host.spec(order_id) == Some(spec));
	if !already {
		install(state, order_id, spec, package).await?;
	} else if let Some(pool) = &state.pool {
		// Again (it costs a lookup and a record): the pool may have lost it since.
		pool.publish(order_id, spec, &package)
			.await
			.map_err(|e| fail(503, "pool_unavailable", format!("{e:#}")))?;
	}
	if let Some(pool) = &state.pool {
		let serving = pool.wait_for_replicas(order_id).await;
		if serving < pool.replicas() {
			let why = pool.failure(order_id).map(|why| format!(" ({why})")).unwrap_or_default();
			return Err(fail(
				503,
				"replicas_unavailable",
				format!(
					"{serving} of the pool's workers serve order {order_id}, {} needed{why}; \
					 retry shortly",
					pool.replicas()
				),
			));
		}
	}
	// The bid engine dedups; a retry re-sends so that a lost `fulfill` is retried too.
	let _ = state.deployed.send(order_id);
	let status = if already { 200 } else { 201 };
	Ok(json(
		status,
		&serde_json::json!({
			"orderId": order_id,
			"packageHash": to_hex(&package_hash),
			"url": format!("{}/o/{}/", state.public_url.trim_end_matches('/'), order_id),
			"status": "deployed",
		}),
	))
}

/// Runs `optimization` on a blocking thread and stores the optimized artifact if the order
/// still has that package deployed. Holds the store until done, so a shutdown waits for it
/// (seconds) before the store closes; a failure leaves the deployment on the baseline code and
/// the next restore compiles the package again.
pub fn optimize(host: Arc<FunctionHost>, store: Arc<Store>, optimization: Optimization) {
	tokio::task::spawn_blocking(move || {
		let order_id = optimization.order_id();
		let keep = |spec: &DeploymentSpec, artifact: &[u8]| {
			if let Err(e) = store.put_artifact_of(order_id, &spec.package_hash, artifact) {
				log::warn!(target: "defaas-provider", "order {order_id}: cannot store the optimized artifact: {e}");
			}
		};
		match optimization.run(&host, keep) {
			// Swapped in, or redeployed or removed meanwhile.
			Ok(_) => {},
			Err(e) => log::warn!(
				target: "defaas-provider",
				"order {order_id}: the optimizing compiler failed, serving the baseline code: {e}"
			),
		}
	});
}

/// Compiles and serves the package, then stores it; on a storage failure nothing stays deployed.
/// Served from the baseline compiler's code, it is optimized in the background and the
/// optimized artifact stored then ([`optimize`]). A pool gateway compiles it only to check it,
/// stores it, then publishes it to the pool.
async fn install(
	state: &AppState,
	order_id: OrderId,
	spec: DeploymentSpec,
	package: Vec<u8>,
) -> Result<(), Failure> {
	let (host, store, pooled) = (state.host.clone(), state.store.clone(), state.pool.is_some());
	let joined = tokio::task::spawn_blocking(move || {
		let (artifact, optimization) = if pooled {
			host.check(&package)?;
			(None, None)
		} else {
			match host.deploy(order_id, spec, &package)? {
				Deployed::Optimized(artifact) => (Some(artifact), None),
				Deployed::Baseline(optimization) => (None, Some(optimization)),
			}
		};
		let record = DeploymentRecord { spec, deployed_at: now_secs(), package };
		if let Err(e) = store.put_deployment(order_id, &record, artifact.as_deref()) {
			host.undeploy(order_id);
			return Err(DeployError::Internal(format!("cannot store the deployment: {e}")));
		}
		if let Some(optimization) = optimization {
			optimize(host, store, optimization);
		}
		Ok(record.package)
	})
	.await;
	let published = match (joined, &state.pool) {
		(Ok(Ok(package)), Some(pool)) => match pool.publish(order_id, spec, &package).await {
			Ok(()) => Ok(Ok(())),
			Err(e) => {
				let _ = state.store.remove_deployment(order_id);
				return Err(fail(503, "pool_unavailable", format!("{e:#}")));
			},
		},
		(joined, _) => joined.map(|result| result.map(drop)),
	};
	match published {
		Ok(Ok(())) => Ok(()),
		Ok(Err(DeployError::InvalidComponent(message))) => Err(fail(
			422,
			"invalid_component",
			format!("the package is not a wasi:http component: {message}"),
		)),
		Ok(Err(DeployError::Internal(message))) => Err(fail(500, "internal", message)),
		Err(e) => Err(fail(500, "internal", format!("the deployment task failed: {e}"))),
	}
}
