//! Test fixture: an HTTP/1.1 server playing a provider's side of the witness probes (docs/architecture.md §7)
//! that can be told to fail, time out or answer the capacity challenge wrongly.
//!
//! Endpoints:
//! - `GET /healthz` — the provider daemon's own health check (the heartbeat worker's probe, §7.1);
//! - `GET /o/{order_id}/.well-known/defaas/health` — an order's liveness probe (§7.2);
//! - `POST /.well-known/defaas/challenge` — the capacity challenge: the request is read with
//!   [`defaas_offchain_workers::challenge::decode_request`] (`400` if malformed) and answered
//!   with `C = A·B` computed by [`defaas_offchain_workers::freivalds`];
//! - `PUT /_control/mode` with a body `healthy|fail|timeout|wrong` switches the [`Mode`] (for
//!   tests driving the binary from another process); not counted, not subject to the mode.
//!
//! What the probe endpoints do depends on the [`Mode`]: answer correctly, answer `503`, sleep
//! [`TIMEOUT_DELAY`] (30 s) before answering, or answer the challenge with one corrupted entry.
//! Anything else is `404` (`405` for a known path with the wrong method).
//!
//! The server binds `127.0.0.1`, runs a thread per connection, closes every connection after one
//! response (`Connection: close`, `Content-Length`) and reads request bodies sent with
//! `Content-Length` or `Transfer-Encoding: chunked` (the node's HTTP client streams bodies).
//! [`TestEndpoint::stop`] (also on drop) closes the listener so later connections are refused,
//! and wakes handlers sleeping in [`Mode::Timeout`], which then close without answering.

pub mod port;

use defaas_offchain_workers::{challenge, freivalds};
use std::{
	collections::BTreeMap,
	fmt,
	io::{self, BufRead, BufReader, Read, Write},
	net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream},
	str::FromStr,
	sync::{
		atomic::{AtomicBool, Ordering},
		Arc, Condvar, Mutex, MutexGuard,
	},
	thread::{self, JoinHandle},
	time::{Duration, Instant},
};

/// Path of the provider daemon's health check.
pub const HEALTHZ_PATH: &str = "/healthz";

/// Path of the control endpoint that switches the mode.
pub const MODE_CONTROL_PATH: &str = "/_control/mode";

/// How long [`Mode::Timeout`] waits before answering, unless changed with
/// [`TestEndpoint::set_timeout_delay`].
pub const TIMEOUT_DELAY: Duration = Duration::from_secs(30);

/// Largest request head (request line and headers) read, in bytes.
const MAX_HEAD: usize = 16 * 1024;

/// Largest request body read, in bytes.
const MAX_BODY: usize = 64 * 1024;

/// Socket read and write timeout of a connection.
const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// How the endpoint answers the probes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
	/// Correct answers: `200` for health checks, the right product for challenges.
	#[default]
	Healthy,
	/// `503 Service Unavailable` for every probe endpoint.
	Fail,
	/// Sleep [`TIMEOUT_DELAY`] before answering as [`Mode::Healthy`] would (a stop cuts the
	/// sleep short and closes the connection unanswered).
	Timeout,
	/// Health checks pass, but the challenge answer has one corrupted entry.
	WrongAnswer,
}

impl Mode {
	/// The name used on the command line and by the control endpoint.
	pub fn name(&self) -> &'static str {
		match self {
			Self::Healthy => "healthy",
			Self::Fail => "fail",
			Self::Timeout => "timeout",
			Self::WrongAnswer => "wrong",
		}
	}
}

impl fmt::Display for Mode {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str(self.name())
	}
}

impl FromStr for Mode {
	type Err = String;

	fn from_str(s: &str) -> Result<Self, Self::Err> {
		match s.trim() {
			"healthy" => Ok(Self::Healthy),
			"fail" => Ok(Self::Fail),
			"timeout" => Ok(Self::Timeout),
			"wrong" | "wrong-answer" => Ok(Self::WrongAnswer),
			other => Err(format!("unknown mode `{other}` (healthy|fail|timeout|wrong)")),
		}
	}
}

/// State shared by the endpoint handle, the acceptor and the connection handlers.
#[derive(Debug, Default)]
struct Shared {
	/// The current mode.
	mode: Mutex<Mode>,
	/// How long [`Mode::Timeout`] sleeps; `None` is [`TIMEOUT_DELAY`].
	timeout_delay: Mutex<Option<Duration>>,
	/// Requests received per path.
	counters: Mutex<BTreeMap<String, u64>>,
	/// Guards the stop flags that sleeping handlers check.
	sleepers: Mutex<()>,
	/// Signalled on every stop.
	wake: Condvar,
}

/// Locks `mutex`, ignoring poisoning (a panicking handler leaves consistent data behind).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
	mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
	fn mode(&self) -> Mode {
		*lock(&self.mode)
	}

	fn count(&self, path: &str) {
		*lock(&self.counters).entry(path.to_owned()).or_default() += 1;
	}

	/// Sleeps the timeout delay; returns `false` if `stop` was set before it elapsed.
	fn sleep_unless_stopped(&self, stop: &AtomicBool) -> bool {
		let delay = lock(&self.timeout_delay).unwrap_or(TIMEOUT_DELAY);
		let deadline = Instant::now() + delay;
		let mut guard = lock(&self.sleepers);
		loop {
			if stop.load(Ordering::SeqCst) {
				return false;
			}
			let now = Instant::now();
			if now >= deadline {
				return true;
			}
			guard = self
				.wake
				.wait_timeout(guard, deadline - now)
				.unwrap_or_else(|poisoned| poisoned.into_inner())
				.0;
		}
	}

	/// Sets `stop` and wakes every sleeping handler.
	fn signal_stop(&self, stop: &AtomicBool) {
		let _guard = lock(&self.sleepers);
		stop.store(true, Ordering::SeqCst);
		self.wake.notify_all();
	}
}

/// A running accept loop.
#[derive(Debug)]
struct Running {
	/// Tells the accept loop to exit.
	stop: Arc<AtomicBool>,
	/// The accept loop; it owns the listener.
	acceptor: JoinHandle<()>,
}

/// The test endpoint: a server on `127.0.0.1` and the handle that controls it.
#[derive(Debug)]
pub struct TestEndpoint {
	shared: Arc<Shared>,
	addr: SocketAddr,
	running: Option<Running>,
}

impl TestEndpoint {
	/// Starts a healthy endpoint on a free port of `127.0.0.1`.
	///
	/// # Panics
	///
	/// If no port can be bound (use [`TestEndpoint::try_start`] to handle that).
	pub fn start() -> Self {
		Self::try_start().unwrap_or_else(|e| panic!("cannot start the test endpoint: {e}"))
	}

	/// Starts a healthy endpoint on a free port of `127.0.0.1` below the ephemeral range
	/// ([`port`]), so that once stopped its port is refused and free for
	/// [`restart`](Self::restart) whatever else the machine binds meanwhile.
	pub fn try_start() -> io::Result<Self> {
		let listener = port::bind_outside_ephemeral_range(Ipv4Addr::LOCALHOST.into())?;
		Self::serve(listener, Mode::Healthy)
	}

	/// Starts an endpoint on `127.0.0.1:port` (`0` for a free port) in `mode`.
	pub fn start_on(port: u16, mode: Mode) -> io::Result<Self> {
		Self::serve(TcpListener::bind((Ipv4Addr::LOCALHOST, port))?, mode)
	}

	/// Serves on `listener` in `mode`.
	fn serve(listener: TcpListener, mode: Mode) -> io::Result<Self> {
		let shared = Arc::new(Shared { mode: Mutex::new(mode), ..Default::default() });
		let mut endpoint = Self { shared, addr: listener.local_addr()?, running: None };
		endpoint.run(listener)?;
		Ok(endpoint)
	}

	/// Spawns the accept loop over `listener`.
	fn run(&mut self, listener: TcpListener) -> io::Result<()> {
		self.addr = listener.local_addr()?;
		let stop = Arc::new(AtomicBool::new(false));
		let (shared, flag) = (self.shared.clone(), stop.clone());
		let acceptor = thread::Builder::new()
			.name(format!("test-endpoint-{}", self.addr.port()))
			.spawn(move || accept_loop(listener, shared, flag))?;
		self.running = Some(Running { stop, acceptor });
		Ok(())
	}

	/// The base URL, `http://127.0.0.1:PORT`.
	pub fn url(&self) -> String {
		format!("http://{}", self.addr)
	}

	/// The socket address.
	pub fn addr(&self) -> SocketAddr {
		self.addr
	}

	/// The port.
	pub fn port(&self) -> u16 {
		self.addr.port()
	}

	/// Switches the mode; requests already sleeping in [`Mode::Timeout`] keep sleeping.
	pub fn set_mode(&self, mode: Mode) {
		*lock(&self.shared.mode) = mode;
	}

	/// The current mode.
	pub fn mode(&self) -> Mode {
		self.shared.mode()
	}

	/// Changes how long [`Mode::Timeout`] sleeps before answering (default [`TIMEOUT_DELAY`]).
	pub fn set_timeout_delay(&self, delay: Duration) {
		*lock(&self.shared.timeout_delay) = Some(delay);
	}

	/// Whether the endpoint accepts connections.
	pub fn is_running(&self) -> bool {
		self.running.is_some()
	}

	/// Stops accepting and closes the listener, so that later connections are refused; wakes
	/// requests sleeping in [`Mode::Timeout`] (they close unanswered). Idempotent.
	pub fn stop(&mut self) {
		let Some(Running { stop, acceptor }) = self.running.take() else { return };
		self.shared.signal_stop(&stop);
		// Wake the blocking `accept` so the loop sees the flag and drops the listener.
		let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
		let _ = acceptor.join();
	}

	/// Starts accepting again after a [`stop`](Self::stop) (stopping first if running), on the
	/// same port if it can be bound, else on a new one ([`url`](Self::url) tells).
	pub fn restart(&mut self) -> io::Result<()> {
		self.stop();
		let listener = TcpListener::bind(self.addr)
			.or_else(|_| TcpListener::bind((Ipv4Addr::LOCALHOST, 0)))?;
		self.run(listener)
	}

	/// Blocks until the endpoint stops accepting (for the binary: forever).
	pub fn wait(mut self) {
		if let Some(Running { acceptor, .. }) = self.running.take() {
			let _ = acceptor.join();
		}
	}

	/// Requests received on `path` (without query string), whatever the answer.
	pub fn requests(&self, path: &str) -> u64 {
		lock(&self.shared.counters).get(path).copied().unwrap_or(0)
	}

	/// Requests received on the health check of `order_id`.
	pub fn health_requests(&self, order_id: u64) -> u64 {
		self.requests(&format!("/o/{order_id}{}", challenge::HEALTH_SUFFIX))
	}

	/// Requests received on the capacity challenge.
	pub fn challenge_requests(&self) -> u64 {
		self.requests(challenge::CHALLENGE_PATH)
	}

	/// Requests received in total.
	pub fn total_requests(&self) -> u64 {
		lock(&self.shared.counters).values().sum()
	}

	/// Requests received per path.
	pub fn request_counts(&self) -> BTreeMap<String, u64> {
		lock(&self.shared.counters).clone()
	}

	/// Sets every request counter back to zero.
	pub fn reset_counters(&self) {
		lock(&self.shared.counters).clear();
	}
}

impl Drop for TestEndpoint {
	fn drop(&mut self) {
		self.stop();
	}
}

/// Accepts connections until `stop` is set, a thread per connection; drops the listener on exit.
fn accept_loop(listener: TcpListener, shared: Arc<Shared>, stop: Arc<AtomicBool>) {
	for stream in listener.incoming() {
		if stop.load(Ordering::SeqCst) {
			break;
		}
		match stream {
			Ok(stream) => {
				let (shared, stop) = (shared.clone(), stop.clone());
				let _ = thread::Builder::new()
					.name("test-endpoint-conn".into())
					.spawn(move || serve(stream, &shared, &stop));
			},
			// E.g. too many open files: back off instead of spinning.
			Err(_) => thread::sleep(Duration::from_millis(10)),
		}
	}
}

/// A parsed request.
#[derive(Debug)]
struct Request {
	method: String,
	/// The path without query string.
	path: String,
	body: Vec<u8>,
}

/// A response to write.
#[derive(Debug)]
struct Response {
	status: u16,
	content_type: &'static str,
	body: Vec<u8>,
}

impl Response {
	fn text(status: u16, body: &str) -> Self {
		Self { status, content_type: "text/plain; charset=utf-8", body: body.as_bytes().to_vec() }
	}
}

/// Serves one connection: one request, one response, close. `stop` is the flag of the run that
/// accepted it.
fn serve(stream: TcpStream, shared: &Shared, stop: &AtomicBool) {
	let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
	let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
	let Ok(read_half) = stream.try_clone() else { return };
	let mut reader = BufReader::new(read_half);
	let response = match read_request(&mut reader) {
		Ok(request) => match respond(&request, shared, stop) {
			Some(response) => response,
			// Stopped while sleeping in timeout mode: close unanswered.
			None => return,
		},
		Err(e) if e.kind() == io::ErrorKind::InvalidData => Response::text(400, "bad request\n"),
		Err(_) => return,
	};
	let _ = write_response(stream, &response);
}

/// The answer to `request` in the current mode; `None` if a stop interrupted the timeout sleep.
fn respond(request: &Request, shared: &Shared, stop: &AtomicBool) -> Option<Response> {
	let method = request.method.as_str();
	let path = request.path.as_str();
	if path == MODE_CONTROL_PATH {
		return Some(match (method, std::str::from_utf8(&request.body).map(str::parse::<Mode>)) {
			("PUT" | "POST", Ok(Ok(mode))) => {
				*lock(&shared.mode) = mode;
				Response::text(200, mode.name())
			},
			("PUT" | "POST", _) => Response::text(400, "expected healthy|fail|timeout|wrong\n"),
			_ => Response::text(405, "method not allowed\n"),
		});
	}
	let endpoint = if path == HEALTHZ_PATH {
		Endpoint::Healthz
	} else if path == challenge::CHALLENGE_PATH {
		Endpoint::Challenge
	} else if is_order_health(path) {
		Endpoint::OrderHealth
	} else {
		return Some(Response::text(404, "not found\n"));
	};
	shared.count(path);
	let allowed = match endpoint {
		Endpoint::Healthz | Endpoint::OrderHealth => method == "GET",
		Endpoint::Challenge => method == "POST",
	};
	if !allowed {
		return Some(Response::text(405, "method not allowed\n"));
	}
	let mode = shared.mode();
	match mode {
		Mode::Fail => return Some(Response::text(503, "service unavailable\n")),
		Mode::Timeout if !shared.sleep_unless_stopped(stop) => return None,
		_ => {},
	}
	Some(match endpoint {
		Endpoint::Healthz | Endpoint::OrderHealth => Response::text(200, "ok\n"),
		Endpoint::Challenge => answer_challenge(&request.body, mode == Mode::WrongAnswer),
	})
}

/// The probe endpoints.
#[derive(Clone, Copy, Debug)]
enum Endpoint {
	Healthz,
	OrderHealth,
	Challenge,
}

/// Whether `path` is `/o/{u64}/.well-known/defaas/health`.
fn is_order_health(path: &str) -> bool {
	path.strip_prefix("/o/")
		.and_then(|rest| rest.strip_suffix(challenge::HEALTH_SUFFIX))
		.is_some_and(|id| id.parse::<u64>().is_ok())
}

/// The answer to a challenge body: the product, with one entry corrupted if `wrong`.
fn answer_challenge(body: &[u8], wrong: bool) -> Response {
	let Some((seed, n, _order_id)) = challenge::decode_request(body) else {
		return Response::text(400, "malformed challenge\n");
	};
	let a = freivalds::matrix(&seed, b'A', n);
	let b = freivalds::matrix(&seed, b'B', n);
	let mut c = freivalds::multiply(&a, &b, n);
	if wrong {
		let position = usize::from(seed[0]) * 31 % c.len().max(1);
		if let Some(entry) = c.get_mut(position) {
			*entry = entry.wrapping_add(1);
		}
	}
	Response {
		status: 200,
		content_type: challenge::PRODUCT_CONTENT_TYPE,
		body: challenge::encode_product(&c),
	}
}

/// An `InvalidData` error: the client sent something that is not a request we can read.
fn invalid(what: &str) -> io::Error {
	io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

/// Reads a line ending in `\n` (at most `budget` bytes in all), without the line ending.
fn read_line(reader: &mut impl BufRead, budget: &mut usize) -> io::Result<String> {
	let mut line = Vec::new();
	let limit = u64::try_from(*budget).unwrap_or(u64::MAX);
	reader.by_ref().take(limit).read_until(b'\n', &mut line)?;
	*budget = budget.saturating_sub(line.len());
	if line.last() != Some(&b'\n') {
		return Err(if *budget == 0 { invalid("head too large") } else { invalid("truncated") });
	}
	let line = String::from_utf8(line).map_err(|_| invalid("head is not UTF-8"))?;
	Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Reads the request line, the headers and the body (`Content-Length` or chunked).
fn read_request(reader: &mut impl BufRead) -> io::Result<Request> {
	let mut budget = MAX_HEAD;
	let request_line = read_line(reader, &mut budget)?;
	let mut parts = request_line.split_whitespace();
	let (Some(method), Some(target), Some(_version)) = (parts.next(), parts.next(), parts.next())
	else {
		return Err(invalid("bad request line"));
	};
	let path = target.split('?').next().unwrap_or(target).to_owned();
	let (mut content_length, mut chunked) = (0usize, false);
	loop {
		let line = read_line(reader, &mut budget)?;
		if line.is_empty() {
			break;
		}
		let Some((name, value)) = line.split_once(':') else { return Err(invalid("bad header")) };
		let value = value.trim();
		if name.eq_ignore_ascii_case("content-length") {
			content_length = value.parse().map_err(|_| invalid("bad content-length"))?;
		} else if name.eq_ignore_ascii_case("transfer-encoding") {
			chunked = value.to_ascii_lowercase().contains("chunked");
		}
	}
	let body = if chunked {
		read_chunked(reader)?
	} else {
		if content_length > MAX_BODY {
			return Err(invalid("body too large"));
		}
		let mut body = vec![0; content_length];
		reader.read_exact(&mut body)?;
		body
	};
	Ok(Request { method: method.to_owned(), path, body })
}

/// Reads a chunked body (RFC 9112 §7.1), ignoring chunk extensions and trailers.
fn read_chunked(reader: &mut impl BufRead) -> io::Result<Vec<u8>> {
	let mut body = Vec::new();
	let mut budget = MAX_HEAD;
	loop {
		let line = read_line(reader, &mut budget)?;
		let size = line.split(';').next().unwrap_or("").trim();
		let size = usize::from_str_radix(size, 16).map_err(|_| invalid("bad chunk size"))?;
		if size == 0 {
			// Trailers, up to the empty line.
			while !read_line(reader, &mut budget)?.is_empty() {}
			return Ok(body);
		}
		if body.len().saturating_add(size) > MAX_BODY {
			return Err(invalid("body too large"));
		}
		let start = body.len();
		body.resize(start + size, 0);
		reader.read_exact(&mut body[start..])?;
		if !read_line(reader, &mut budget)?.is_empty() {
			return Err(invalid("chunk not followed by CRLF"));
		}
	}
}

/// The reason phrase of the status codes the endpoint uses.
fn reason(status: u16) -> &'static str {
	match status {
		200 => "OK",
		400 => "Bad Request",
		404 => "Not Found",
		405 => "Method Not Allowed",
		503 => "Service Unavailable",
		_ => "",
	}
}

/// Writes `response` with `Content-Length` and `Connection: close`, then closes.
fn write_response(mut stream: TcpStream, response: &Response) -> io::Result<()> {
	let head = format!(
		"HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
		response.status,
		reason(response.status),
		response.content_type,
		response.body.len(),
	);
	stream.write_all(head.as_bytes())?;
	stream.write_all(&response.body)?;
	stream.flush()?;
	stream.shutdown(std::net::Shutdown::Write)
}
