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
	/// A published package does not hash to the order's package hash.
	HashMismatch,
	/// A published package is not a WebAssembly component.
	NotComponent,
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
	let probe = LeaseProbe { endpoint, order_id, challenge: None };
	let outcome = health_all(&[probe], deadline_after(timeout_ms)).pop();
	outcome.map_or(ProbeOutcome::Failed(ProbeFailure::Unreachable), ProbeOutcome::from)
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
	let challenge = Challenge { seed: *seed, n, k };
	let probe = LeaseProbe { endpoint, order_id, challenge: Some(challenge) };
	let outcome = challenge_all(&[probe], deadline_after(timeout_ms)).pop();
	outcome.map_or(ProbeOutcome::Failed(ProbeFailure::Unreachable), ProbeOutcome::from)
}

/// A capacity challenge: its seed, the matrix size `n` and the Freivalds rounds `k` (see
/// [`probe_challenge`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Challenge {
	/// The seed the matrices derive from.
	pub seed: [u8; 32],
	/// Matrix size (clamped to `1..=`[`MAX_MATRIX_SIZE`]).
	pub n: u32,
	/// Freivalds rounds (clamped to `1..=`[`MAX_ROUNDS`]).
	pub k: u32,
}

/// One probe of a lease for [`probe_leases`]: the liveness probe of `order_id` at `endpoint`
/// and, with `challenge`, the capacity challenge once the liveness probe passed.
#[derive(Clone, Copy, Debug)]
pub struct LeaseProbe<'a> {
	/// The provider's endpoint.
	pub endpoint: &'a str,
	/// The lease's order.
	pub order_id: u64,
	/// The capacity challenge to make after the liveness probe, if any.
	pub challenge: Option<Challenge>,
}

/// Every probe of `probes` at once, their outcomes in the same order: all liveness probes are
/// sent together and awaited until one deadline (`health_timeout_ms` from now), then the
/// challenges of those that passed, together, until a second (`challenge_timeout_ms` from
/// then). A witness watching many leases waits for its slowest provider once instead of for
/// every provider in turn; each probe is judged exactly as [`probe_health`] and
/// [`probe_challenge`] judge it alone.
pub fn probe_leases(
	probes: &[LeaseProbe<'_>],
	health_timeout_ms: u64,
	challenge_timeout_ms: u64,
) -> Vec<ProbeOutcome> {
	let health = health_all(probes, deadline_after(health_timeout_ms));
	let mut outcomes: Vec<ProbeOutcome> = health.into_iter().map(ProbeOutcome::from).collect();
	let (asked, challenged): (Vec<usize>, Vec<LeaseProbe<'_>>) = probes
		.iter()
		.zip(outcomes.iter())
		.enumerate()
		.filter(|(_, (probe, outcome))| probe.challenge.is_some() && !outcome.is_failed())
		.map(|(index, (probe, _))| (index, *probe))
		.unzip();
	if challenged.is_empty() {
		return outcomes;
	}
	let answers = challenge_all(&challenged, deadline_after(challenge_timeout_ms));
	for (index, answer) in asked.into_iter().zip(answers) {
		if let Some(outcome) = outcomes.get_mut(index) {
			*outcome = ProbeOutcome::from(answer);
		}
	}
	outcomes
}

/// The liveness probes of `probes`, sent together, until `deadline`.
fn health_all(probes: &[LeaseProbe<'_>], deadline: Timestamp) -> Vec<Result<(), ProbeFailure>> {
	let urls: Vec<String> = probes.iter().map(|p| health_url(p.endpoint, p.order_id)).collect();
	let requests = urls.iter().map(|url| (http::Request::get(url), MAX_HEALTH_BODY)).collect();
	let results: Vec<_> = fetch_all(requests, deadline).into_iter().map(|r| r.map(drop)).collect();
	for (probe, (url, result)) in probes.iter().zip(urls.iter().zip(results.iter())) {
		log::debug!(
			target: LOG_TARGET,
			"health probe of order {} at {url}: {result:?}",
			probe.order_id
		);
	}
	results
}

/// The capacity challenges of `probes` (those without one fail with `BadBody`), sent together,
/// until `deadline`; each answer is checked after the exchanges.
fn challenge_all(probes: &[LeaseProbe<'_>], deadline: Timestamp) -> Vec<Result<(), ProbeFailure>> {
	// (n, k, expected answer length) of each challenge, clamped.
	let sizes: Vec<Option<(u32, u32, usize)>> = probes
		.iter()
		.map(|probe| {
			let challenge = probe.challenge?;
			let n = challenge.n.clamp(1, MAX_MATRIX_SIZE);
			Some((n, challenge.k.clamp(1, MAX_ROUNDS), product_len(n)?))
		})
		.collect();
	let bodies: Vec<Vec<u8>> = probes
		.iter()
		.zip(sizes.iter())
		.map(|(probe, size)| match (probe.challenge, size) {
			(Some(challenge), Some((n, ..))) => encode_request(&challenge.seed, *n, probe.order_id),
			_ => Vec::new(),
		})
		.collect();
	let urls: Vec<String> = probes.iter().map(|probe| challenge_url(probe.endpoint)).collect();
	let lengths: Vec<String> = bodies.iter().map(|body| format!("{}", body.len())).collect();
	let sent: Vec<usize> = (0..probes.len())
		.filter(|index| sizes.get(*index).is_some_and(|size| size.is_some()))
		.collect();
	let requests = sent
		.iter()
		.filter_map(|index| {
			let (url, body, length) =
				(urls.get(*index)?, bodies.get(*index)?, lengths.get(*index)?);
			let (.., max_body) = (*sizes.get(*index)?)?;
			let request = http::Request::post(url, vec![body.as_slice()])
				.add_header("Content-Type", REQUEST_CONTENT_TYPE)
				.add_header("Accept", PRODUCT_CONTENT_TYPE)
				.add_header("Content-Length", length);
			Some((request, max_body))
		})
		.collect();
	let mut results: Vec<Result<(), ProbeFailure>> = vec![Err(ProbeFailure::BadBody); probes.len()];
	for (index, answer) in sent.into_iter().zip(fetch_all(requests, deadline)) {
		let (Some(probe), Some(Some((n, k, _)))) = (probes.get(index), sizes.get(index)) else {
			continue;
		};
		let result = answer.and_then(|answer| check_product(probe, *n, *k, &answer));
		log::debug!(
			target: LOG_TARGET,
			"challenge probe (n = {n}) of order {} at {}: {result:?}",
			probe.order_id,
			probe.endpoint
		);
		if let Some(slot) = results.get_mut(index) {
			*slot = result;
		}
	}
	results
}

/// Checks a challenge's answer `answer` to `probe` (size `n`) with `k` Freivalds rounds.
fn check_product(
	probe: &LeaseProbe<'_>,
	n: u32,
	k: u32,
	answer: &[u8],
) -> Result<(), ProbeFailure> {
	let seed = probe.challenge.map(|challenge| challenge.seed).ok_or(ProbeFailure::BadBody)?;
	let c = decode_product(answer, n).ok_or(ProbeFailure::BadBody)?;
	let a = matrix(&seed, b'A', n);
	let b = matrix(&seed, b'B', n);
	let randomness = sp_io::offchain::random_seed();
	if verify(&a, &b, &c, n, k, &randomness) {
		Ok(())
	} else {
		Err(ProbeFailure::WrongProduct)
	}
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
	let result = fetch_all(vec![(http::Request::get(url), max_body)], deadline).pop();
	result.unwrap_or(Err(ProbeFailure::Unreachable))
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

fn deadline_after(timeout_ms: u64) -> Timestamp {
	sp_io::offchain::timestamp().add(Duration::from_millis(timeout_ms))
}

/// Sends every request of `requests` (each with the most body bytes it may read) at once,
/// each on a connection of its own (`Connection: close`), and waits for them until `deadline`,
/// which also bounds reading each body: each `2xx` answer's body, or why there is none.
fn fetch_all<I: AsRef<[u8]>, T: IntoIterator<Item = I> + Default>(
	requests: Vec<(http::Request<'_, T>, usize)>,
	deadline: Timestamp,
) -> Vec<Result<Vec<u8>, ProbeFailure>> {
	let mut results: Vec<Result<Vec<u8>, ProbeFailure>> = Vec::with_capacity(requests.len());
	let mut pending = Vec::new();
	let mut waiting = Vec::new();
	for (index, (request, max_body)) in requests.into_iter().enumerate() {
		// A fresh connection per request: a probe sees the provider as a new client does (a
		// provider whose connections are exhausted fails it, even if an old one still works).
		match request.add_header("Connection", "close").deadline(deadline).send() {
			Ok(request) => {
				pending.push(request);
				waiting.push((index, max_body));
				results.push(Err(ProbeFailure::Timeout));
			},
			Err(HttpError::DeadlineReached) => results.push(Err(ProbeFailure::Timeout)),
			Err(HttpError::IoError | HttpError::Invalid) => {
				results.push(Err(ProbeFailure::Unreachable))
			},
		}
	}
	let answers = http::PendingRequest::try_wait_all(pending, deadline);
	for ((index, max_body), answer) in waiting.into_iter().zip(answers) {
		let result = answered(answer).and_then(|id| read_body(id, deadline, max_body));
		if let Some(slot) = results.get_mut(index) {
			*slot = result;
		}
	}
	results
}

/// The id of a `2xx` answer whose body can be read, or why there is none.
fn answered(
	answer: Result<http::HttpResult, http::PendingRequest>,
) -> Result<HttpRequestId, ProbeFailure> {
	match answer {
		Err(_) | Ok(Err(http::Error::DeadlineReached)) => Err(ProbeFailure::Timeout),
		Ok(Err(http::Error::IoError | http::Error::Unknown)) => Err(ProbeFailure::Unreachable),
		Ok(Ok(response)) if !(200..300).contains(&response.code) => {
			Err(ProbeFailure::Status(response.code))
		},
		Ok(Ok(response)) => Ok(response.id),
	}
}

/// Reads a whole response body of at most `max_body` bytes before `deadline`.
fn read_body(
	id: HttpRequestId,
	deadline: Timestamp,
	max_body: usize,
) -> Result<Vec<u8>, ProbeFailure> {
	let mut body = Vec::with_capacity(max_body.min(READ_CHUNK));
	stream_body(id, deadline, u64::try_from(max_body).unwrap_or(u64::MAX), |chunk| {
		body.extend_from_slice(chunk)
	})?;
	Ok(body)
}

/// Hands every chunk of a response body to `sink` as it arrives, until the body ends (then
/// its length) or more than `max_body` bytes came ([`ProbeFailure::BadBody`]; the excess is
/// not passed on), it broke off ([`ProbeFailure::BadBody`]) or `deadline` passed.
fn stream_body(
	id: HttpRequestId,
	deadline: Timestamp,
	max_body: u64,
	mut sink: impl FnMut(&[u8]),
) -> Result<u64, ProbeFailure> {
	let mut buffer = vec![0u8; READ_CHUNK];
	let mut total: u64 = 0;
	loop {
		match sp_io::offchain::http_response_read_body(id, &mut buffer, Some(deadline)) {
			Ok(0) => return Ok(total),
			Ok(read) => {
				let chunk = usize::try_from(read)
					.ok()
					.and_then(|read| buffer.get(..read))
					.ok_or(ProbeFailure::BadBody)?;
				total = total.saturating_add(u64::from(read));
				if total > max_body {
					return Err(ProbeFailure::BadBody);
				}
				sink(chunk);
			},
			Err(HttpError::DeadlineReached) => return Err(ProbeFailure::Timeout),
			Err(HttpError::IoError | HttpError::Invalid) => return Err(ProbeFailure::BadBody),
		}
	}
}

/// The first bytes of every WebAssembly component (the binary format's magic, then version
/// `0x0d` and layer 1); a core module has layer 0.
pub const COMPONENT_HEADER: [u8; 8] = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

/// The hand-off check of a deployment dispute (docs/architecture.md §5.3): `GET url` must
/// answer `2xx` within `timeout_ms` milliseconds with a body of at most `max_bytes` bytes
/// whose `blake2_256` is `package_hash` and which starts like a WebAssembly component. The
/// body is hashed as it streams in, never held: a package of hundreds of MiB costs the witness
/// 16 KiB of memory. Passes iff the customer published the package it committed to.
///
/// The provider daemon additionally validates the component and its `wasi:http` world; a
/// witness checks only what makes a package deployable in principle (available, the committed
/// bytes, a component of the allowed size).
pub fn check_package(
	url: &str,
	package_hash: &[u8; 32],
	max_bytes: u64,
	timeout_ms: u64,
) -> ProbeOutcome {
	let deadline = deadline_after(timeout_ms);
	let request = http::Request::get(url).add_header("Connection", "close").deadline(deadline);
	let outcome = match request.send() {
		Err(HttpError::DeadlineReached) => Err(ProbeFailure::Timeout),
		Err(HttpError::IoError | HttpError::Invalid) => Err(ProbeFailure::Unreachable),
		Ok(pending) => answered(pending.try_wait(deadline)).and_then(|id| {
			let mut hasher = blake2b_simd::Params::new().hash_length(32).to_state();
			let mut header: Vec<u8> = Vec::with_capacity(COMPONENT_HEADER.len());
			stream_body(id, deadline, max_bytes, |chunk| {
				let missing = COMPONENT_HEADER.len().saturating_sub(header.len());
				header.extend(chunk.iter().take(missing).copied());
				hasher.update(chunk);
			})?;
			if header.as_slice() != COMPONENT_HEADER.as_slice() {
				return Err(ProbeFailure::NotComponent);
			}
			if hasher.finalize().as_bytes() != package_hash.as_slice() {
				return Err(ProbeFailure::HashMismatch);
			}
			Ok(())
		}),
	};
	log::debug!(target: LOG_TARGET, "package check of {url}: {outcome:?}");
	outcome.into()
}
