//! `membomb`: a malicious function that allocates memory until the host stops it.
//!
//! Every request allocates 1 MiB chunks in a loop, writes to every 4 KiB page of each chunk (so
//! the memory is really committed, not just reserved) and keeps all chunks alive in a `Vec`. It
//! never responds: it runs until the host's memory limit makes `memory.grow` fail, at which point
//! the allocator aborts and the component traps.

use std::hint::black_box;
use wstd::http::{Body, Error, Request, Response};

/// Size of one allocation.
const CHUNK: usize = 1024 * 1024;
/// Stride of the writes that touch every page of a chunk.
const PAGE: usize = 4096;

#[wstd::http_server]
async fn main(_request: Request<Body>) -> Result<Response<Body>, Error> {
	let mut chunks: Vec<Vec<u8>> = Vec::new();
	loop {
		let mut chunk = vec![0u8; CHUNK];
		for (page, byte) in chunk.iter_mut().step_by(PAGE).enumerate() {
			*byte = page as u8 | 1;
		}
		// Keep the writes and the allocation observable so neither can be optimized away.
		chunks.push(black_box(chunk));
		black_box(&chunks);
	}
}
