//! A recording HTTP server standing in for a provider daemon: the CLI's deployment uploads and
//! invocations land here, and the test reads back exactly what arrived.

use std::{
	collections::VecDeque,
	io::{Read, Write},
	net::{TcpListener, TcpStream},
	sync::{Arc, Mutex, MutexGuard},
	time::Duration,
};

/// A request the [`Recorder`] received.
#[derive(Clone, Debug)]
pub struct Recorded {
	/// Method.
	pub method: String,
	/// Path with query.
	pub path: String,
	/// Headers, names lowercased.
	pub headers: Vec<(String, String)>,
	/// Body.
	pub body: Vec<u8>,
}

impl Recorded {
	/// The value of header `name` (lowercase).
	pub fn header(&self, name: &str) -> Option<&str> {
		self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
	}
}

/// A one-request-per-connection HTTP/1.1 server on 127.0.0.1 (port 0: the kernel picks it, the
/// listener keeps it) that records every request and answers from a queue of `(status, body)`
/// (200 `{}` when the queue is empty). Its thread ends with the test process.
#[derive(Clone)]
pub struct Recorder {
	/// `http://127.0.0.1:<port>`.
	pub url: String,
	requests: Arc<Mutex<Vec<Recorded>>>,
	answers: Arc<Mutex<VecDeque<(u16, String)>>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
	mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Recorder {
	/// Starts the server.
	pub fn start() -> std::io::Result<Recorder> {
		let listener = TcpListener::bind("127.0.0.1:0")?;
		let url = format!("http://{}", listener.local_addr()?);
		let server = Recorder { url, requests: Default::default(), answers: Default::default() };
		let handle = server.clone();
		std::thread::spawn(move || {
			for stream in listener.incoming().flatten() {
				let _ = handle.serve(stream);
			}
		});
		Ok(server)
	}

	/// Queues the answer to the next request.
	pub fn answer(&self, status: u16, body: &str) {
		lock(&self.answers).push_back((status, body.to_string()));
	}

	/// Every request received so far.
	pub fn requests(&self) -> Vec<Recorded> {
		lock(&self.requests).clone()
	}

	fn serve(&self, mut stream: TcpStream) -> std::io::Result<()> {
		let Some(request) = read_request(&mut stream)? else {
			return Ok(());
		};
		lock(&self.requests).push(request);
		let (status, answer) = lock(&self.answers).pop_front().unwrap_or((200, "{}".to_string()));
		write!(
			stream,
			"HTTP/1.1 {status} Test\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
			 connection: close\r\n\r\n{answer}",
			answer.len()
		)?;
		stream.flush()
	}
}

/// Reads one HTTP/1.1 request (head and `content-length` body) from `stream`; `None` if the
/// peer closed the connection before sending a head.
pub(crate) fn read_request(stream: &mut TcpStream) -> std::io::Result<Option<Recorded>> {
	stream.set_read_timeout(Some(Duration::from_secs(10)))?;
	let mut data = Vec::new();
	let mut buf = [0u8; 4096];
	let head_end = loop {
		let n = stream.read(&mut buf)?;
		if n == 0 {
			return Ok(None);
		}
		data.extend_from_slice(&buf[..n]);
		if let Some(pos) = data.windows(4).position(|w| w == b"\r\n\r\n") {
			break pos + 4;
		}
	};
	let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
	let mut lines = head.split("\r\n");
	let mut request_line = lines.next().unwrap_or_default().split(' ');
	let method = request_line.next().unwrap_or_default().to_string();
	let path = request_line.next().unwrap_or_default().to_string();
	let headers: Vec<(String, String)> = lines
		.filter_map(|line| line.split_once(':'))
		.map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
		.collect();
	let length: usize = headers
		.iter()
		.find(|(n, _)| n == "content-length")
		.and_then(|(_, v)| v.parse().ok())
		.unwrap_or(0);
	let mut body = data[head_end..].to_vec();
	while body.len() < length {
		let n = stream.read(&mut buf)?;
		if n == 0 {
			break;
		}
		body.extend_from_slice(&buf[..n]);
	}
	Ok(Some(Recorded { method, path, headers, body }))
}
