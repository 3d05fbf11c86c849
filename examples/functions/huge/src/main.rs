//! `huge`: a malicious function that streams an endless response body.
//!
//! Every request gets `200 OK` (`content-type: text/plain`, no `content-length`, so the body is
//! chunked) followed by 64 KiB chunks of `b'x'`, forever. The body never ends: a correct host
//! must cut it off at its response-size or time limit.

use futures_lite::stream;
use wstd::http::body::Bytes;
use wstd::http::{Body, Error, Request, Response, StatusCode};

/// Size of one body chunk.
const CHUNK: usize = 64 * 1024;

#[wstd::http_server]
async fn main(_request: Request<Body>) -> Result<Response<Body>, Error> {
	// `Bytes` clones share one buffer, so repeating the chunk allocates nothing per write.
	// wstd writes each item with `write_all`, which waits for the host to accept more data.
	let chunk = Bytes::from(vec![b'x'; CHUNK]);
	let body = Body::from_stream(stream::repeat(chunk));
	Ok(Response::builder()
		.status(StatusCode::OK)
		.header("content-type", "text/plain")
		.body(body)?)
}
