//! A minimal HTTP/1.1 client over `std::net`, for talking to the endpoint in tests.

#![allow(dead_code)]

use std::{
	io::{self, Read, Write},
	net::{SocketAddr, TcpStream},
	time::Duration,
};

/// A response: status code, headers (lower-case names) and body.
#[derive(Debug)]
pub struct Reply {
	pub status: u16,
	pub headers: Vec<(String, String)>,
	pub body: Vec<u8>,
}

impl Reply {
	/// The value of header `name` (lower case).
	pub fn header(&self, name: &str) -> Option<&str> {
		self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
	}
}

/// Sends `raw` bytes to `addr` and reads the whole response (the server closes after it).
pub fn exchange(addr: SocketAddr, raw: &[u8], timeout: Duration) -> io::Result<Reply> {
	let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
	stream.set_read_timeout(Some(timeout))?;
	stream.set_write_timeout(Some(timeout))?;
	stream.write_all(raw)?;
	let mut response = Vec::new();
	stream.read_to_end(&mut response)?;
	parse(&response)
}

/// Sends a request with a `Content-Length` body.
pub fn request(
	addr: SocketAddr,
	method: &str,
	path: &str,
	body: &[u8],
	timeout: Duration,
) -> io::Result<Reply> {
	let mut raw = format!(
		"{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
		body.len()
	)
	.into_bytes();
	raw.extend_from_slice(body);
	exchange(addr, &raw, timeout)
}

/// `GET path`, with a 5 s timeout.
pub fn get(addr: SocketAddr, path: &str) -> io::Result<Reply> {
	request(addr, "GET", path, &[], Duration::from_secs(5))
}

/// `POST path` with `body`, with a 10 s timeout.
pub fn post(addr: SocketAddr, path: &str, body: &[u8]) -> io::Result<Reply> {
	request(addr, "POST", path, body, Duration::from_secs(10))
}

fn parse(response: &[u8]) -> io::Result<Reply> {
	let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_owned());
	let split = response.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| bad("no head"))?;
	let head = std::str::from_utf8(&response[..split]).map_err(|_| bad("head not UTF-8"))?;
	let mut lines = head.split("\r\n");
	let status_line = lines.next().ok_or_else(|| bad("no status line"))?;
	let status = status_line
		.split_whitespace()
		.nth(1)
		.and_then(|s| s.parse().ok())
		.ok_or_else(|| bad("bad status line"))?;
	let headers: Vec<(String, String)> = lines
		.filter_map(|l| l.split_once(':'))
		.map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
		.collect();
	let body = response[split + 4..].to_vec();
	Ok(Reply { status, headers, body })
}
