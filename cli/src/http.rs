//! A small HTTP/1.1 client (hyper) for provider endpoints (plain `http://`).

use anyhow::{anyhow, Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::{client::legacy::Client, rt::TokioExecutor};
use std::time::Duration;

/// Deadline of one request, including reading the whole response.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// A complete HTTP response.
#[derive(Debug)]
pub struct Response {
	/// Status code.
	pub status: u16,
	/// Reason phrase of the status (`Conflict`), if standard.
	pub reason: &'static str,
	/// Header names and values (values lossily decoded).
	pub headers: Vec<(String, String)>,
	/// The body.
	pub body: Bytes,
}

/// Why a request got no response.
#[derive(Debug)]
pub enum SendError {
	/// The connection could not be made or broke (worth retrying).
	Connect(String),
	/// Anything else (bad URL, timeout, ...).
	Other(anyhow::Error),
}

impl std::fmt::Display for SendError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Self::Connect(message) => write!(f, "{message}"),
			Self::Other(error) => write!(f, "{error:#}"),
		}
	}
}

/// `base` (an endpoint like `http://host:8080` or `http://host/api/`) joined with `path`
/// (which starts with `/`).
pub fn join(base: &str, path: &str) -> String {
	format!("{}{}", base.trim_end_matches('/'), path)
}

/// Sends one request and reads the whole response.
pub async fn send(
	method: &str,
	url: &str,
	headers: &[(String, String)],
	body: Vec<u8>,
) -> Result<Response, SendError> {
	let request = build(method, url, headers, body).map_err(SendError::Other)?;
	let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
	let exchange = async {
		let response = client.request(request).await.map_err(|e| {
			if e.is_connect() {
				SendError::Connect(format!("cannot connect to {url}: {}", source_chain(&e)))
			} else {
				SendError::Connect(format!("request to {url} failed: {}", source_chain(&e)))
			}
		})?;
		let status = response.status();
		let headers = response
			.headers()
			.iter()
			.map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
			.collect();
		let body = response
			.into_body()
			.collect()
			.await
			.map_err(|e| SendError::Connect(format!("reading the answer of {url}: {e}")))?
			.to_bytes();
		Ok(Response {
			status: status.as_u16(),
			reason: status.canonical_reason().unwrap_or(""),
			headers,
			body,
		})
	};
	tokio::time::timeout(REQUEST_TIMEOUT, exchange).await.map_err(|_| {
		SendError::Other(anyhow!("{url} did not answer within {}s", REQUEST_TIMEOUT.as_secs()))
	})?
}

fn build(
	method: &str,
	url: &str,
	headers: &[(String, String)],
	body: Vec<u8>,
) -> Result<Request<Full<Bytes>>> {
	let uri: hyper::Uri = url.parse().with_context(|| format!("invalid URL {url}"))?;
	if uri.scheme_str() != Some("http") {
		anyhow::bail!("{url}: only http:// endpoints are supported");
	}
	let method = hyper::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
		.with_context(|| format!("invalid HTTP method {method}"))?;
	let mut builder = Request::builder().method(method).uri(uri);
	for (name, value) in headers {
		builder = builder.header(name.as_str(), value.as_str());
	}
	builder.body(Full::new(Bytes::from(body))).context("invalid request")
}

/// An error with its sources, `a: b: c`.
fn source_chain(error: &dyn std::error::Error) -> String {
	let mut text = error.to_string();
	let mut source = error.source();
	while let Some(cause) = source {
		text.push_str(": ");
		text.push_str(&cause.to_string());
		source = cause.source();
	}
	text
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn endpoints_join_paths() {
		assert_eq!(join("http://h:1", "/o/3/x"), "http://h:1/o/3/x");
		assert_eq!(join("http://h:1/api/", "/o/3"), "http://h:1/api/o/3");
	}

	#[tokio::test]
	async fn refused_connections_are_transient() {
		let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
		let url = format!("http://127.0.0.1:{port}/");
		assert!(matches!(send("GET", &url, &[], vec![]).await, Err(SendError::Connect(_))));
		assert!(matches!(
			send("GET", "https://127.0.0.1/", &[], vec![]).await,
			Err(SendError::Other(_))
		));
	}
}
