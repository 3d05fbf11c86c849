//! The witness's probes (`defaas_offchain_workers::probe`) against the endpoint over real TCP.
//!
//! The off-chain HTTP host functions are served by [`StdHttp`], a blocking std implementation of
//! `sp_core::offchain::Externalities` with real deadlines — a stand-in for the node's HTTP API,
//! so the wire format, timeouts and refusals are exercised end to end.

use defaas_offchain_workers::{
	freivalds::matrix_size, probe_challenge, probe_health, report_violated, ProbeFailure,
	ProbeOutcome,
};
use defaas_test_endpoint::{Mode, TestEndpoint, HEALTHZ_PATH};
use sp_core::offchain::{
	self, HttpError, HttpRequestId, HttpRequestStatus, OpaqueNetworkState, Timestamp,
};
use sp_io::TestExternalities;
use std::{
	collections::BTreeMap,
	io::{self, Read, Write},
	net::{SocketAddr, TcpStream},
	time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

/// A request being built or answered.
#[derive(Default)]
struct Exchange {
	method: String,
	uri: String,
	headers: Vec<(String, String)>,
	body: Vec<u8>,
	/// Status and body once the response arrived.
	response: Option<(u16, Vec<u8>)>,
	read: usize,
}

/// Blocking HTTP over `std::net` behind the off-chain HTTP host functions.
#[derive(Default)]
struct StdHttp {
	exchanges: BTreeMap<u16, Exchange>,
	next_id: u16,
}

/// Wall-clock milliseconds since the epoch.
fn now_millis() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Time left until `deadline`, `None` for no deadline; `Err` once it passed.
fn remaining(deadline: Option<Timestamp>) -> Result<Option<Duration>, ()> {
	match deadline {
		None => Ok(None),
		Some(d) => match d.unix_millis().checked_sub(now_millis()) {
			Some(left) if left > 0 => Ok(Some(Duration::from_millis(left))),
			_ => Err(()),
		},
	}
}

/// Performs `exchange` over a fresh connection; `Err(true)` means the deadline passed.
fn perform(exchange: &Exchange, deadline: Option<Timestamp>) -> Result<(u16, Vec<u8>), bool> {
	let rest = exchange.uri.strip_prefix("http://").ok_or(false)?;
	let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
	let addr: SocketAddr = authority.parse().map_err(|_| false)?;
	let left = remaining(deadline).map_err(|_| true)?;
	let timed_out =
		|e: &io::Error| matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut);
	let mut stream = match left {
		Some(left) => TcpStream::connect_timeout(&addr, left),
		None => TcpStream::connect(addr),
	}
	.map_err(|e| timed_out(&e))?;
	stream.set_read_timeout(left).map_err(|_| false)?;
	stream.set_write_timeout(left).map_err(|_| false)?;
	let mut head = format!(
		"{} {} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n",
		exchange.method,
		if path.is_empty() { "/" } else { path }
	);
	for (name, value) in &exchange.headers {
		head.push_str(&format!("{name}: {value}\r\n"));
	}
	head.push_str("\r\n");
	stream.write_all(head.as_bytes()).map_err(|e| timed_out(&e))?;
	stream.write_all(&exchange.body).map_err(|e| timed_out(&e))?;
	let mut response = Vec::new();
	// Re-arm the read timeout per read so the whole exchange respects the deadline.
	let mut buffer = [0u8; 16 * 1024];
	loop {
		let left = remaining(deadline).map_err(|_| true)?;
		stream.set_read_timeout(left).map_err(|_| false)?;
		match stream.read(&mut buffer) {
			Ok(0) => break,
			Ok(n) => response.extend_from_slice(&buffer[..n]),
			Err(e) => return Err(timed_out(&e)),
		}
	}
	let split = response.windows(4).position(|w| w == b"\r\n\r\n").ok_or(false)?;
	let head = std::str::from_utf8(&response[..split]).map_err(|_| false)?;
	let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or(false)?;
	Ok((status, response[split + 4..].to_vec()))
}

impl offchain::Externalities for StdHttp {
	fn is_validator(&self) -> bool {
		true
	}

	fn network_state(&self) -> Result<OpaqueNetworkState, ()> {
		Err(())
	}

	fn timestamp(&mut self) -> Timestamp {
		Timestamp::from_unix_millis(now_millis())
	}

	fn sleep_until(&mut self, deadline: Timestamp) {
		if let Ok(Some(left)) = remaining(Some(deadline)) {
			std::thread::sleep(left);
		}
	}

	fn random_seed(&mut self) -> [u8; 32] {
		sp_io::hashing::blake2_256(&now_millis().to_le_bytes())
	}

	fn http_request_start(
		&mut self,
		method: &str,
		uri: &str,
		_: &[u8],
	) -> Result<HttpRequestId, ()> {
		let id = self.next_id;
		self.next_id += 1;
		let exchange = Exchange { method: method.into(), uri: uri.into(), ..Default::default() };
		self.exchanges.insert(id, exchange);
		Ok(HttpRequestId(id))
	}

	fn http_request_add_header(
		&mut self,
		id: HttpRequestId,
		name: &str,
		value: &str,
	) -> Result<(), ()> {
		let exchange = self.exchanges.get_mut(&id.0).ok_or(())?;
		exchange.headers.push((name.into(), value.into()));
		Ok(())
	}

	fn http_request_write_body(
		&mut self,
		id: HttpRequestId,
		chunk: &[u8],
		_deadline: Option<Timestamp>,
	) -> Result<(), HttpError> {
		let exchange = self.exchanges.get_mut(&id.0).ok_or(HttpError::Invalid)?;
		exchange.body.extend_from_slice(chunk);
		Ok(())
	}

	fn http_response_wait(
		&mut self,
		ids: &[HttpRequestId],
		deadline: Option<Timestamp>,
	) -> Vec<HttpRequestStatus> {
		ids.iter()
			.map(|id| {
				let Some(exchange) = self.exchanges.get_mut(&id.0) else {
					return HttpRequestStatus::Invalid;
				};
				if exchange.response.is_none() {
					match perform(exchange, deadline) {
						Ok(response) => exchange.response = Some(response),
						Err(true) => return HttpRequestStatus::DeadlineReached,
						Err(false) => {
							self.exchanges.remove(&id.0);
							return HttpRequestStatus::IoError;
						},
					}
				}
				match &exchange.response {
					Some((status, _)) => HttpRequestStatus::Finished(*status),
					None => HttpRequestStatus::Invalid,
				}
			})
			.collect()
	}

	fn http_response_headers(&mut self, _id: HttpRequestId) -> Vec<(Vec<u8>, Vec<u8>)> {
		Vec::new()
	}

	fn http_response_read_body(
		&mut self,
		id: HttpRequestId,
		buffer: &mut [u8],
		_deadline: Option<Timestamp>,
	) -> Result<usize, HttpError> {
		let exchange = self.exchanges.get_mut(&id.0).ok_or(HttpError::Invalid)?;
		let (_, body) = exchange.response.as_ref().ok_or(HttpError::Invalid)?;
		let len = (body.len() - exchange.read).min(buffer.len());
		buffer[..len].copy_from_slice(&body[exchange.read..exchange.read + len]);
		exchange.read += len;
		if len == 0 {
			self.exchanges.remove(&id.0);
		}
		Ok(len)
	}

	fn set_authorized_nodes(&mut self, _: Vec<sp_core::OpaquePeerId>, _: bool) {}
}

/// Runs `f` in externalities whose HTTP goes over real TCP.
fn with_http<R>(f: impl FnOnce() -> R) -> R {
	let mut ext = TestExternalities::default();
	ext.register_extension(offchain::OffchainWorkerExt::new(StdHttp::default()));
	ext.execute_with(f)
}

/// One health and one challenge probe of order 7 (n for a 512 MB level, k = 10).
fn probe_both(endpoint: &str, timeout_ms: u64) -> [ProbeOutcome; 2] {
	with_http(|| {
		[
			probe_health(endpoint, 7, timeout_ms),
			probe_challenge(endpoint, 7, &[5; 32], matrix_size(512), 10, timeout_ms),
		]
	})
}

#[test]
fn healthy_endpoint_passes_both_probes() {
	let endpoint = TestEndpoint::start();
	let outcomes = probe_both(&format!("{}/", endpoint.url()), 5_000);
	assert_eq!(outcomes, [ProbeOutcome::Passed; 2]);
	assert!(!report_violated(&outcomes));
	assert_eq!(endpoint.health_requests(7), 1);
	assert_eq!(endpoint.challenge_requests(), 1);
	assert_eq!(endpoint.requests(HEALTHZ_PATH), 0);
}

#[test]
fn failing_endpoint_fails_with_503() {
	let endpoint = TestEndpoint::start();
	endpoint.set_mode(Mode::Fail);
	let outcomes = probe_both(&endpoint.url(), 5_000);
	assert_eq!(outcomes, [ProbeOutcome::Failed(ProbeFailure::Status(503)); 2]);
	assert!(report_violated(&outcomes));
}

#[test]
fn sleeping_endpoint_times_out_at_the_deadline() {
	let endpoint = TestEndpoint::start();
	endpoint.set_mode(Mode::Timeout);
	let started = Instant::now();
	let outcomes = probe_both(&endpoint.url(), 400);
	assert_eq!(outcomes, [ProbeOutcome::Failed(ProbeFailure::Timeout); 2]);
	let elapsed = started.elapsed();
	assert!(
		elapsed >= Duration::from_millis(800) && elapsed < Duration::from_secs(5),
		"{elapsed:?}"
	);
}

#[test]
fn cheating_endpoint_fails_the_challenge_only() {
	let endpoint = TestEndpoint::start();
	endpoint.set_mode(Mode::WrongAnswer);
	let outcomes = probe_both(&endpoint.url(), 5_000);
	assert_eq!(outcomes, [ProbeOutcome::Passed, ProbeOutcome::Failed(ProbeFailure::WrongProduct)]);
	assert!(!report_violated(&outcomes), "one failure of two is no majority");
}

#[test]
fn stopped_endpoint_is_unreachable_until_restarted() {
	let mut endpoint = TestEndpoint::start();
	endpoint.stop();
	let outcomes = probe_both(&endpoint.url(), 2_000);
	assert_eq!(outcomes, [ProbeOutcome::Failed(ProbeFailure::Unreachable); 2]);
	endpoint.restart().unwrap();
	assert_eq!(probe_both(&endpoint.url(), 5_000), [ProbeOutcome::Passed; 2]);
}
