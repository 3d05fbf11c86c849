//! A scripted HTTP back end for the probes: `TestOffchainExt` answers every request with
//! `200` and panics on a request without a response, so timeouts, status codes and refused
//! connections need their own mock.
//!
//! Each request started takes the next [`Reply`] of the script. The mock keeps its own clock
//! (milliseconds): an answer arrives after its latency, and whenever a deadline passes first the
//! clock jumps to that deadline and the host call reports `DeadlineReached`, as the node's HTTP
//! API does.

use sp_core::offchain::{
	self, HttpError, HttpRequestId, HttpRequestStatus, OpaqueNetworkState, Timestamp,
};
use sp_io::TestExternalities;
use std::{
	collections::VecDeque,
	sync::{Arc, Mutex, MutexGuard},
};

/// How the "server" treats the next request.
#[derive(Clone, Debug)]
pub enum Reply {
	/// The request cannot even be started (`http_request_start` fails: bad URI, no request ids).
	Refused,
	/// The connection breaks before a status line (`IoError`: refused, reset, DNS failure).
	Broken,
	/// Nothing ever arrives.
	Silent,
	/// A status line after `latency_ms`, then the body, read as `body_fault` says.
	Answer {
		/// Milliseconds from sending until the status line.
		latency_ms: u64,
		/// HTTP status code.
		status: u16,
		/// Response body.
		body: Vec<u8>,
		/// What goes wrong while the body is read.
		body_fault: BodyFault,
	},
}

impl Reply {
	/// An immediate answer with `status` and `body`.
	pub fn answer(status: u16, body: impl Into<Vec<u8>>) -> Self {
		Self::Answer { latency_ms: 1, status, body: body.into(), body_fault: BodyFault::None }
	}
}

/// Trouble while reading a response body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyFault {
	/// The body arrives in full.
	None,
	/// The first chunk arrives, then nothing more before the deadline.
	Stall,
	/// The first chunk arrives, then the connection breaks.
	Break,
}

/// A request as the probe sent it.
#[derive(Clone, Debug, Default)]
pub struct Sent {
	/// HTTP method.
	pub method: String,
	/// URI.
	pub uri: String,
	/// Headers in the order added.
	pub headers: Vec<(String, String)>,
	/// The request body.
	pub body: Vec<u8>,
	/// Every deadline passed to a host call for this request.
	pub deadlines: Vec<Option<Timestamp>>,
}

/// One request in flight.
#[derive(Debug)]
struct Exchange {
	sent: Sent,
	reply: Reply,
	/// Bytes of the body read so far.
	read: usize,
}

/// The mock's state.
#[derive(Debug, Default)]
pub struct State {
	/// The clock, in milliseconds.
	pub now: u64,
	/// What `random_seed` returns.
	pub seed: [u8; 32],
	/// Replies for the requests still to come.
	pub script: VecDeque<Reply>,
	exchanges: Vec<Exchange>,
}

/// The scripted `offchain::Externalities`; clones share the state.
#[derive(Clone, Debug, Default)]
pub struct ScriptedHttp(Arc<Mutex<State>>);

impl ScriptedHttp {
	/// Externalities with the mock registered as the off-chain worker extension, the clock at
	/// `now` and `script` as the replies, plus the mock's handle.
	pub fn ext(now: u64, script: impl IntoIterator<Item = Reply>) -> (TestExternalities, Self) {
		let mock = Self::default();
		{
			let mut state = mock.state();
			state.now = now;
			state.script = script.into_iter().collect();
		}
		let mut ext = TestExternalities::default();
		ext.register_extension(offchain::OffchainWorkerExt::new(mock.clone()));
		(ext, mock)
	}

	/// The state, locked.
	pub fn state(&self) -> MutexGuard<'_, State> {
		self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	/// The requests sent so far.
	pub fn sent(&self) -> Vec<Sent> {
		self.state().exchanges.iter().map(|e| e.sent.clone()).collect()
	}

	/// The clock.
	pub fn now(&self) -> u64 {
		self.state().now
	}
}

impl State {
	fn exchange(&mut self, id: HttpRequestId) -> Option<&mut Exchange> {
		self.exchanges.get_mut(usize::from(id.0))
	}

	/// Moves the clock to `deadline` (which the probes must always pass).
	fn expire(&mut self, deadline: Option<Timestamp>) {
		let deadline = deadline.expect("probes always pass a deadline").unix_millis();
		self.now = self.now.max(deadline);
	}
}

impl offchain::Externalities for ScriptedHttp {
	fn is_validator(&self) -> bool {
		true
	}

	fn network_state(&self) -> Result<OpaqueNetworkState, ()> {
		Ok(OpaqueNetworkState { peer_id: Default::default(), external_addresses: vec![] })
	}

	fn timestamp(&mut self) -> Timestamp {
		Timestamp::from_unix_millis(self.state().now)
	}

	fn sleep_until(&mut self, deadline: Timestamp) {
		let mut state = self.state();
		state.now = state.now.max(deadline.unix_millis());
	}

	fn random_seed(&mut self) -> [u8; 32] {
		self.state().seed
	}

	fn http_request_start(
		&mut self,
		method: &str,
		uri: &str,
		_meta: &[u8],
	) -> Result<HttpRequestId, ()> {
		let mut state = self.state();
		let reply = state.script.pop_front().expect("a reply scripted for every request");
		if matches!(reply, Reply::Refused) {
			return Err(());
		}
		let id = HttpRequestId(u16::try_from(state.exchanges.len()).expect("few requests"));
		let sent = Sent { method: method.into(), uri: uri.into(), ..Default::default() };
		state.exchanges.push(Exchange { sent, reply, read: 0 });
		Ok(id)
	}

	fn http_request_add_header(
		&mut self,
		request_id: HttpRequestId,
		name: &str,
		value: &str,
	) -> Result<(), ()> {
		let mut state = self.state();
		let exchange = state.exchange(request_id).ok_or(())?;
		exchange.sent.headers.push((name.into(), value.into()));
		Ok(())
	}

	fn http_request_write_body(
		&mut self,
		request_id: HttpRequestId,
		chunk: &[u8],
		deadline: Option<Timestamp>,
	) -> Result<(), HttpError> {
		let mut state = self.state();
		let exchange = state.exchange(request_id).ok_or(HttpError::Invalid)?;
		exchange.sent.body.extend_from_slice(chunk);
		exchange.sent.deadlines.push(deadline);
		Ok(())
	}

	fn http_response_wait(
		&mut self,
		ids: &[HttpRequestId],
		deadline: Option<Timestamp>,
	) -> Vec<HttpRequestStatus> {
		let mut state = self.state();
		ids.iter()
			.map(|id| {
				let now = state.now;
				let Some(exchange) = state.exchange(*id) else { return HttpRequestStatus::Invalid };
				exchange.sent.deadlines.push(deadline);
				match exchange.reply.clone() {
					Reply::Refused => unreachable!("refused requests never start"),
					Reply::Broken => HttpRequestStatus::IoError,
					Reply::Silent => {
						state.expire(deadline);
						HttpRequestStatus::DeadlineReached
					},
					Reply::Answer { latency_ms, status, .. } => {
						let arrival = now.saturating_add(latency_ms);
						match deadline {
							Some(d) if arrival > d.unix_millis() => {
								state.expire(deadline);
								HttpRequestStatus::DeadlineReached
							},
							_ => {
								state.now = arrival;
								HttpRequestStatus::Finished(status)
							},
						}
					},
				}
			})
			.collect()
	}

	fn http_response_headers(&mut self, _request_id: HttpRequestId) -> Vec<(Vec<u8>, Vec<u8>)> {
		Vec::new()
	}

	fn http_response_read_body(
		&mut self,
		request_id: HttpRequestId,
		buffer: &mut [u8],
		deadline: Option<Timestamp>,
	) -> Result<usize, HttpError> {
		let mut state = self.state();
		let (chunk, fault) = {
			let exchange = state.exchange(request_id).ok_or(HttpError::Invalid)?;
			exchange.sent.deadlines.push(deadline);
			let Reply::Answer { body, body_fault, .. } = &exchange.reply else {
				return Err(HttpError::Invalid);
			};
			// Faults strike after the first chunk.
			let fault = if exchange.read > 0 { *body_fault } else { BodyFault::None };
			let len = (body.len() - exchange.read).min(buffer.len());
			(body[exchange.read..exchange.read + len].to_vec(), fault)
		};
		match fault {
			BodyFault::None => {},
			BodyFault::Stall => {
				state.expire(deadline);
				return Err(HttpError::DeadlineReached);
			},
			BodyFault::Break => return Err(HttpError::IoError),
		}
		buffer[..chunk.len()].copy_from_slice(&chunk);
		if let Some(exchange) = state.exchange(request_id) {
			exchange.read += chunk.len();
		}
		Ok(chunk.len())
	}

	fn set_authorized_nodes(&mut self, _nodes: Vec<sp_core::OpaquePeerId>, _authorized_only: bool) {
	}
}
