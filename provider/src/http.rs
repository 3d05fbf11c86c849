//! HTTP helpers of the daemon's own endpoints: response builders (JSON errors
//! `{"error":"<code>","message":"<sentence>"}`, text, JSON), bounded reading of a request body,
//! and the discarding of a refused request's unread body.
//!
//! **Refusing a body that is still arriving.** When the daemon refuses a request before it has
//! read the body (a package over the level's limit, a bad signature, ...), simply dropping the
//! body would make hyper close the connection with unread input in the socket; the kernel then
//! answers with a reset, which can destroy the refusal in the client's receive buffer before
//! the client reads it (the client sees "broken pipe" or "connection reset" instead of the
//! `413`). [`refuse_unread_body`] therefore answers `Connection: close` and keeps reading — and
//! dropping — the rest of the body in the background, at most [`DISCARD_MAX_BYTES`] within
//! [`DISCARD_MAX_TIME`], so that the client can finish sending and read the answer; the
//! connection then closes cleanly. A client that waits for `100 Continue` has not sent the body
//! and is told no: nothing is read.

use crate::host::FunctionBody;
use bytes::{Buf, Bytes};
use http_body_util::{BodyExt, Full};
use hyper::{
	body::Body,
	header::{HeaderMap, HeaderValue, CONNECTION, CONTENT_TYPE, EXPECT},
	Response, StatusCode,
};
use std::time::Duration;

/// Most bytes of a refused request's body read (and dropped) after the refusal.
pub const DISCARD_MAX_BYTES: u64 = 64 << 20;

/// Longest time spent reading a refused request's body after the refusal.
pub const DISCARD_MAX_TIME: Duration = Duration::from_secs(10);

/// A response with `body` of `content_type`.
pub fn response(
	status: u16,
	content_type: &'static str,
	body: impl Into<Bytes>,
) -> Response<FunctionBody> {
	let mut response =
		Response::new(Full::new(body.into()).map_err(|never| match never {}).boxed());
	*response.status_mut() =
		StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
	response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
	response
}

/// A `text/plain` response.
pub fn text(status: u16, body: String) -> Response<FunctionBody> {
	response(status, "text/plain; charset=utf-8", body)
}

/// A JSON response.
pub fn json(status: u16, value: &serde_json::Value) -> Response<FunctionBody> {
	response(status, "application/json", value.to_string())
}

/// The client's IP address, put into every request's extensions by the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub std::net::IpAddr);

/// A JSON error: `{"error":code,"message":message}`.
pub fn error(status: u16, code: &str, message: &str) -> Response<FunctionBody> {
	json(status, &serde_json::json!({ "error": code, "message": message }))
}

/// Reads `body` to its end if it holds at most `limit` bytes: `Ok(None)` as soon as it is
/// longer (the rest stays unread: pass the body to [`refuse_unread_body`]).
pub async fn read_body<B>(body: &mut B, limit: usize) -> Result<Option<Vec<u8>>, B::Error>
where
	B: Body + Unpin,
{
	let mut out = Vec::new();
	while let Some(frame) = body.frame().await {
		if let Ok(mut data) = frame?.into_data() {
			if out.len().saturating_add(data.remaining()) > limit {
				return Ok(None);
			}
			while data.has_remaining() {
				let chunk = data.chunk();
				out.extend_from_slice(chunk);
				let read = chunk.len();
				data.advance(read);
			}
		}
	}
	Ok(Some(out))
}

/// Reads and drops what is left of `body`, at most `max_bytes` and for at most `max_time`;
/// returns the bytes dropped. Stops early at the body's end or on an error.
pub async fn discard<B>(mut body: B, max_bytes: u64, max_time: Duration) -> u64
where
	B: Body + Unpin,
{
	let mut dropped = 0u64;
	let read = async {
		while dropped < max_bytes {
			match body.frame().await {
				Some(Ok(frame)) => {
					if let Ok(data) = frame.into_data() {
						let len = u64::try_from(data.remaining()).unwrap_or(u64::MAX);
						dropped = dropped.saturating_add(len);
					}
				},
				Some(Err(_)) | None => break,
			}
		}
	};
	let _ = tokio::time::timeout(max_time, read).await;
	dropped
}

/// Finishes the refusal `response` of a request whose `body` was not (entirely) read; see the
/// module documentation. `headers` are the request's.
pub fn refuse_unread_body<B>(
	mut response: Response<FunctionBody>,
	headers: &HeaderMap,
	body: B,
) -> Response<FunctionBody>
where
	B: Body + Send + Unpin + 'static,
	B::Data: Send,
{
	if body.is_end_stream() {
		return response;
	}
	response.headers_mut().insert(CONNECTION, HeaderValue::from_static("close"));
	let waits_for_continue = headers
		.get(EXPECT)
		.and_then(|value| value.to_str().ok())
		.is_some_and(|value| value.trim().eq_ignore_ascii_case("100-continue"));
	if !waits_for_continue {
		tokio::spawn(discard(body, DISCARD_MAX_BYTES, DISCARD_MAX_TIME));
	}
	response
}

#[cfg(test)]
mod tests {
	use super::*;
	use futures::stream;
	use http_body_util::{Empty, StreamBody};
	use hyper::body::Frame;
	use std::{
		convert::Infallible,
		sync::{
			atomic::{AtomicUsize, Ordering},
			Arc,
		},
	};

	type Frames = Result<Frame<Bytes>, Infallible>;

	#[tokio::test]
	async fn read_body_reads_up_to_the_limit_and_refuses_beyond() {
		let mut body = Full::new(Bytes::from_static(b"12345"));
		assert_eq!(read_body(&mut body, 5).await.unwrap(), Some(b"12345".to_vec()));
		let mut body = Full::new(Bytes::from_static(b"123456"));
		assert_eq!(read_body(&mut body, 5).await.unwrap(), None);
		let mut body = Empty::<Bytes>::new();
		assert_eq!(read_body(&mut body, 0).await.unwrap(), Some(Vec::new()));
	}

	#[tokio::test]
	async fn discard_stops_at_the_byte_bound() {
		// Endless 1 KiB frames, counted as they are pulled.
		let pulled = Arc::new(AtomicUsize::new(0));
		let counter = pulled.clone();
		let endless = StreamBody::new(stream::repeat_with(move || -> Frames {
			counter.fetch_add(1, Ordering::SeqCst);
			Ok(Frame::data(Bytes::from(vec![0u8; 1024])))
		}));
		let dropped = discard(endless, 10 * 1024, Duration::from_secs(600)).await;
		assert_eq!(dropped, 10 * 1024);
		assert_eq!(pulled.load(Ordering::SeqCst), 10);
	}

	#[tokio::test]
	async fn discard_reads_a_short_body_to_its_end() {
		let body = Full::new(Bytes::from_static(b"rest of the package"));
		assert_eq!(discard(body, DISCARD_MAX_BYTES, DISCARD_MAX_TIME).await, 19);
	}

	#[tokio::test]
	async fn discard_gives_up_on_a_body_that_stalls() {
		// A client that stops sending: the time bound ends the discard.
		let stalled = StreamBody::new(stream::pending::<Frames>());
		assert_eq!(discard(stalled, DISCARD_MAX_BYTES, Duration::from_millis(1)).await, 0);
	}

	#[tokio::test]
	async fn a_refusal_with_an_unread_body_closes_the_connection() {
		let refused = || error(413, "package_too_large", "too large");
		let close = Some(HeaderValue::from_static("close"));
		// The body was read to its end: the connection may stay open.
		let read = refuse_unread_body(refused(), &HeaderMap::new(), Empty::<Bytes>::new());
		assert_eq!(read.headers().get(CONNECTION), None);
		// Unread: closed after the rest is discarded ...
		let unread = Full::new(Bytes::from_static(b"x"));
		let refusal = refuse_unread_body(refused(), &HeaderMap::new(), unread);
		assert_eq!(refusal.headers().get(CONNECTION), close.as_ref());
		assert_eq!(refusal.status(), 413);
		// ... or at once when the client waits for `100 Continue` (it has not sent the body).
		let mut waiting = HeaderMap::new();
		waiting.insert(EXPECT, HeaderValue::from_static("100-continue"));
		let unsent = Full::new(Bytes::from_static(b"x"));
		let refusal = refuse_unread_body(refused(), &waiting, unsent);
		assert_eq!(refusal.headers().get(CONNECTION), close.as_ref());
	}
}
