//! `panicky`: a malicious function that panics on every request.
//!
//! The workspace builds with `panic = "abort"` (wasm32-wasip2 has no unwinding anyway), so the
//! panic message goes to stderr and the component instance traps. A correct host must turn the
//! trap into an error response for this invocation and keep serving others.

use wstd::http::{Body, Error, Request, Response};

#[wstd::http_server]
async fn main(_request: Request<Body>) -> Result<Response<Body>, Error> {
	panic!("deliberate panic from the panicky function");
}
