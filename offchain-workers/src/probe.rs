//! The witness's HTTP probes (docs/architecture.md §7.2) and the heartbeat worker's health check (§7.1), each
//! bounded by a deadline.
//!
//! A probe runs in the off-chain worker through the node's HTTP API
//! (`sp_runtime::offchain::http`). Its deadline is `now + timeout_ms` on the worker's clock and
//! covers the whole exchange: sending the request, waiting for the status line and reading the
//! body. Bodies are read directly with `sp_io::offchain::http_response_read_body` and cut off at
//! a maximum size, so a provider cannot keep a witness busy or exhaust its memory. The
//! challenge's answer is verified after the deadline-bound exchange, so the witness's own
//! Freivalds check never counts against the provider.

use crate::{
	challenge::{
		challenge_url, decode_product, encode_request, health_url, product_len,
		PRODUCT_CONTENT_TYPE, REQUEST_CONTENT_TYPE,
	},
	freivalds::{matrix, verify, MAX_MATRIX_SIZE},
	LOG_TARGET,
};
use alloc::{format, string::String, vec, vec::Vec};
use codec::{Decode, Encode};
use sp_core::offchain::{Duration, HttpError, HttpRequestId, Timestamp};
use sp_runtime::offchain::http;

/// Largest health-check body a witness reads (the body itself is ignored): 64 KiB.
pub const MAX_HEALTH_BODY: usize = 64 * 1024;

/// Path of the provider daemon's own health check, relative to its endpoint (docs/architecture.md §7.1).
pub const HEALTHZ_PATH: &str = "/healthz";

/// Largest `/healthz` body the heartbeat worker reads: 4 KiB.
pub const MAX_HEALTHZ_BODY: usize = 4 * 1024;

/// Most `[level, count]` entries [`parse_capacity`] accepts.
pub const MAX_CAPACITY_ENTRIES: usize = 64;

/// Deepest nesting of arrays and objects [`parse_capacity`] skips in keys other than
/// `capacity`.
const MAX_JSON_DEPTH: u32 = 16;

/// Most Freivalds rounds a challenge probe runs (its error is then at most `2^-64`).
pub const MAX_ROUNDS: u32 = 64;

/// Size of the buffer a body is read into, per host call.
const READ_CHUNK: usize = 16 * 1024;

/// Why a probe failed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode)]
pub enum ProbeFailure {
	/// The request could not be sent or the connection broke before a status line arrived
	/// (refused connection, DNS failure, reset, invalid URL).
	Unreachable,
	/// The deadline passed before the whole answer arrived.
	Timeout,
	/// The provider answered with this non-`2xx` status code.
	Status(u16),
	/// The body was too large, broke off, or is not a well-formed answer.
	BadBody,
	/// The challenge answer is not `A·B` (Freivalds' check rejected it).
	WrongProduct,
}

/// The result of one probe.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode)]
pub enum ProbeOutcome {
	/// The provider answered correctly within the deadline.
	Passed,
	/// The provider failed the probe.
	Failed(ProbeFailure),
}

impl ProbeOutcome {
	/// Whether the probe failed.
	pub fn is_failed(&self) -> bool {
		matches!(self, Self::Failed(_))
	}
}

impl From<Result<(), ProbeFailure>> for ProbeOutcome {
	fn from(result: Result<(), ProbeFailure>) -> Self {
		match result {
			Ok(()) => Self::Passed,
			Err(failure) => Self::Failed(failure),
		}
	}
}

/// The report a witness makes from its probes of a round: `violated` iff a strict majority of
/// them failed (docs/architecture.md §7.2). No probes is no accusation: `false`.
pub fn report_violated(outcomes: &[ProbeOutcome]) -> bool {
	let failed = outcomes.iter().filter(|outcome| outcome.is_failed()).count();
	failed.saturating_mul(2) > outcomes.len()
}

/// Liveness probe: `GET {endpoint}/o/{order_id}/.well-known/defaas/health` must answer `2xx`
/// within `timeout_ms` milliseconds (the body, at most [`MAX_HEALTH_BODY`] bytes, is read and
/// ignored).
pub fn probe_health(endpoint: &str, order_id: u64, timeout_ms: u64) -> ProbeOutcome {
	let deadline = deadline_after(timeout_ms);
	let url = health_url(endpoint, order_id);
	let outcome =
		ProbeOutcome::from(fetch(http::Request::get(&url), deadline, MAX_HEALTH_BODY).map(drop));
	log::debug!(target: LOG_TARGET, "health probe of order {order_id} at {url}: {outcome:?}");
	outcome
}

/// Capacity probe: `POST {endpoint}/.well-known/defaas/challenge` with `seed` and `n` must be
/// answered with `C = A·B` within `timeout_ms` milliseconds; the answer is checked with `k`
/// Freivalds rounds, with randomness drawn from `sp_io::offchain::random_seed()` after it arrived.
///
/// `n` is clamped to `1..=`[`MAX_MATRIX_SIZE`] (use [`crate::freivalds::matrix_size`]) and `k` to
/// `1..=`[`MAX_ROUNDS`], so a caller's mistake never produces a request an honest provider must
/// refuse. The request carries an explicit `Content-Length`; the body read stops at `n·n·8`
/// bytes.
pub fn probe_challenge(
	endpoint: &str,
	order_id: u64,
	seed: &[u8; 32],
	n: u32,
	k: u32,
	timeout_ms: u64,
) -> ProbeOutcome {
	let n = n.clamp(1, MAX_MATRIX_SIZE);
	let k = k.clamp(1, MAX_ROUNDS);
	let deadline = deadline_after(timeout_ms);
	let url = challenge_url(endpoint);
	let outcome = ProbeOutcome::from(challenge(&url, order_id, seed, n, k, deadline));
	log::debug!(target: LOG_TARGET, "challenge probe (n = {n}) of order {order_id} at {url}: {outcome:?}");
	outcome
}

/// The URL of a provider daemon's health check: `{endpoint}/healthz` (trailing slashes of the
/// endpoint removed).
pub fn healthz_url(endpoint: &str) -> String {
	format!("{}{}", endpoint.trim_end_matches('/'), HEALTHZ_PATH)
}

/// `GET url`: a `2xx` answer within `timeout_ms` milliseconds, whose body (at most `max_body`
/// bytes, else [`ProbeFailure::BadBody`]) is returned. Sending, waiting and reading all share
/// the one deadline.
pub fn probe_get(url: &str, timeout_ms: u64, max_body: usize) -> Result<Vec<u8>, ProbeFailure> {
	let deadline = deadline_after(timeout_ms);
	fetch(http::Request::get(url), deadline, max_body)
}

/// Heartbeat probe (docs/architecture.md §7.1): `GET {endpoint}/healthz` must answer `2xx` within
/// `timeout_ms` milliseconds. Returns the body (at most [`MAX_HEALTHZ_BODY`] bytes), which may
/// carry the provider's free capacity (see [`parse_capacity`]).
pub fn probe_healthz(endpoint: &str, timeout_ms: u64) -> Result<Vec<u8>, ProbeFailure> {
	let url = healthz_url(endpoint);
	let result = probe_get(&url, timeout_ms, MAX_HEALTHZ_BODY);
	log::debug!(
		target: LOG_TARGET,
		"healthz probe at {url}: {:?}",
		result.as_ref().map(|body| body.len())
	);
	result
}

/// The free capacity per level in a `/healthz` body: a JSON object with a key
/// `"capacity":[[level,count],...]` (non-negative integers that fit in `u32`).
///
/// Whitespace, any key order and other keys with any JSON value (nested at most 16 deep) are
/// accepted. Returns `None` for anything else: not a JSON object, no or a repeated `capacity`
/// key, an entry that is not a pair of such integers, more than [`MAX_CAPACITY_ENTRIES`]
/// entries, trailing bytes, or a body longer than [`MAX_HEALTHZ_BODY`]. The entries are
/// returned as given (no check for repeated levels).
pub fn parse_capacity(body: &[u8]) -> Option<Vec<(u32, u32)>> {
	if body.len() > MAX_HEALTHZ_BODY {
		return None;
	}
	let mut capacity = None;
	crate::json::Reader::new(body).object(|key, p| {
		if key == b"capacity" {
			if capacity.is_some() {
				return None;
			}
			capacity = Some(capacity_entries(p)?);
			Some(())
		} else {
			p.skip_value(MAX_JSON_DEPTH)
		}
	})?;
	capacity
}

/// `[[level,count],...]` with at most [`MAX_CAPACITY_ENTRIES`] entries of `u32`s.
fn capacity_entries(p: &mut crate::json::Reader<'_>) -> Option<Vec<(u32, u32)>> {
	let mut entries = Vec::new();
	p.require(b'[')?;
	if p.eat(b']') {
		return Some(entries);
	}
	loop {
		if entries.len() >= MAX_CAPACITY_ENTRIES {
			return None;
		}
		p.require(b'[')?;
		let level = u32::try_from(p.integer()?).ok()?;
		p.require(b',')?;
		let count = u32::try_from(p.integer()?).ok()?;
		p.require(b']')?;
		entries.push((level, count));
		if p.eat(b']') {
			return Some(entries);
		}
		p.require(b',')?;
	}
}

/// The exchange and check of [`probe_challenge`] with clamped `n` and `k`.
fn challenge(
	url: &str,
	order_id: u64,
	seed: &[u8; 32],
	n: u32,
	k: u32,
	deadline: Timestamp,
) -> Result<(), ProbeFailure> {
	let max_body = product_len(n).ok_or(ProbeFailure::BadBody)?;
	let body = encode_request(seed, n, order_id);
	let length = format!("{}", body.len());
	let request = http::Request::post(url, vec![body.as_slice()])
		.add_header("Content-Type", REQUEST_CONTENT_TYPE)
		.add_header("Accept", PRODUCT_CONTENT_TYPE)
		.add_header("Content-Length", &length);
	let answer = fetch(request, deadline, max_body)?;
	let c = decode_product(&answer, n).ok_or(ProbeFailure::BadBody)?;
	let a = matrix(seed, b'A', n);
	let b = matrix(seed, b'B', n);
	let randomness = sp_io::offchain::random_seed();
	if verify(&a, &b, &c, n, k, &randomness) {
		Ok(())
	} else {
		Err(ProbeFailure::WrongProduct)
	}
}

/// The worker's clock plus `timeout_ms` milliseconds.
fn deadline_after(timeout_ms: u64) -> Timestamp {
	sp_io::offchain::timestamp().add(Duration::from_millis(timeout_ms))
}

/// Sends `request`, waits for a `2xx` status and reads at most `max_body` bytes of body, all
/// before `deadline`.
fn fetch<I: AsRef<[u8]>, T: IntoIterator<Item = I> + Default>(
	request: http::Request<'_, T>,
	deadline: Timestamp,
	max_body: usize,
) -> Result<Vec<u8>, ProbeFailure> {
	let pending = request.deadline(deadline).send().map_err(|error| match error {
		HttpError::DeadlineReached => ProbeFailure::Timeout,
		HttpError::IoError | HttpError::Invalid => ProbeFailure::Unreachable,
	})?;
	let response = match pending.try_wait(deadline) {
		Err(_still_pending) => return Err(ProbeFailure::Timeout),
		Ok(Err(http::Error::DeadlineReached)) => return Err(ProbeFailure::Timeout),
		Ok(Err(http::Error::IoError | http::Error::Unknown)) => {
			return Err(ProbeFailure::Unreachable)
		},
		Ok(Ok(response)) => response,
	};
	if !(200..300).contains(&response.code) {
		return Err(ProbeFailure::Status(response.code));
	}
	read_body(response.id, deadline, max_body)
}

/// Reads a whole response body of at most `max_body` bytes before `deadline`.
fn read_body(
	id: HttpRequestId,
	deadline: Timestamp,
	max_body: usize,
) -> Result<Vec<u8>, ProbeFailure> {
	let mut body = Vec::with_capacity(max_body.min(READ_CHUNK));
	let mut buffer = vec![0u8; READ_CHUNK];
	loop {
		match sp_io::offchain::http_response_read_body(id, &mut buffer, Some(deadline)) {
			Ok(0) => return Ok(body),
			Ok(read) => {
				let chunk = usize::try_from(read)
					.ok()
					.and_then(|read| buffer.get(..read))
					.ok_or(ProbeFailure::BadBody)?;
				if body.len().saturating_add(chunk.len()) > max_body {
					return Err(ProbeFailure::BadBody);
				}
				body.extend_from_slice(chunk);
			},
			Err(HttpError::DeadlineReached) => return Err(ProbeFailure::Timeout),
			Err(HttpError::IoError | HttpError::Invalid) => return Err(ProbeFailure::BadBody),
		}
	}
}
