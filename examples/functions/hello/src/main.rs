//! `hello`: the smallest useful DeFaaS function.
//!
//! Answers every request with `200 OK`, `content-type: text/plain` and the body
//! `Hello from DeFaaS! path=<path and query>\n`, where `<path and query>` is the request URI's
//! path and query exactly as the component received it (the host may have rewritten it). It is
//! the function used to smoke-test ordering, deployment and invocation end to end.

use wstd::http::{Body, Error, Request, Response, StatusCode};

#[wstd::http_server]
async fn main(request: Request<Body>) -> Result<Response<Body>, Error> {
	let path = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
	let body = format!("Hello from DeFaaS! path={path}\n");
	Ok(Response::builder()
		.status(StatusCode::OK)
		.header("content-type", "text/plain")
		.body(body.into())?)
}
