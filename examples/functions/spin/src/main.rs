//! `spin`: a malicious function that burns CPU forever.
//!
//! Every request enters an infinite loop that never yields and never responds. The loop counter
//! goes through [`std::hint::black_box`], so the optimizer cannot prove the loop side-effect free
//! and remove it. A correct host must stop it with its execution budget (fuel or epoch deadline)
//! and must not let it starve other invocations.

use std::hint::black_box;
use wstd::http::{Body, Error, Request, Response};

#[wstd::http_server]
async fn main(_request: Request<Body>) -> Result<Response<Body>, Error> {
	let mut counter: u64 = 0;
	loop {
		counter = black_box(counter).wrapping_add(1);
	}
}
