//! `hash`: a CPU- and memory-heavy DeFaaS function for load and metering tests.
//!
//! `GET /anything?mb=N&rounds=R` allocates an `N` MiB buffer whose byte `i` is
//! `(i * 31 + 7) as u8`, then hashes it `R` times, chained:
//! `d_1 = sha256(buffer)`, `d_{k+1} = sha256(d_k ‖ buffer)`. The answer is
//! `200 application/json` `{"mb":N,"rounds":R,"sha256":"<hex of d_R>"}`.
//!
//! * `mb` defaults to 1 and must be in `1..=256`; `rounds` defaults to 1 and must be in
//!   `1..=1000`. Anything else (or a malformed query) is answered with `400` and a text reason.
//!   Unknown query parameters are ignored.
//! * If the request carries a non-empty body (e.g. a POST), the body is hashed instead of the
//!   generated buffer, with the same `rounds` rule, and `"mb"` reports the body length in whole
//!   MiB (rounded down). Bodies over 256 MiB are answered with `413`.
//!
//! With `rounds=1` the digest equals `sha256sum` of the buffer (or body).

use sha2::{Digest, Sha256};
use wstd::http::{Body, Error, Request, Response, StatusCode};

const MIB: usize = 1024 * 1024;
const MAX_MB: usize = 256;
const MAX_ROUNDS: u32 = 1000;

/// Parsed `?mb=N&rounds=R` parameters.
struct Params {
	mb: usize,
	rounds: u32,
}

#[wstd::http_server]
async fn main(mut request: Request<Body>) -> Result<Response<Body>, Error> {
	let params = match parse_query(request.uri().query().unwrap_or("")) {
		Ok(params) => params,
		Err(reason) => return text(StatusCode::BAD_REQUEST, reason),
	};

	let body = request.body_mut().contents().await?;
	let (mb, digest) = if body.is_empty() {
		(params.mb, chained_sha256(&generate(params.mb * MIB), params.rounds))
	} else if body.len() > MAX_MB * MIB {
		return text(StatusCode::PAYLOAD_TOO_LARGE, format!("body larger than {MAX_MB} MiB\n"));
	} else {
		(body.len() / MIB, chained_sha256(body, params.rounds))
	};

	let json =
		format!("{{\"mb\":{mb},\"rounds\":{},\"sha256\":\"{}\"}}", params.rounds, hex(&digest));
	Ok(Response::builder()
		.status(StatusCode::OK)
		.header("content-type", "application/json")
		.body(json.into())?)
}

/// Parses the query string, applying defaults and bounds.
fn parse_query(query: &str) -> Result<Params, String> {
	let mut params = Params { mb: 1, rounds: 1 };
	for pair in query.split('&').filter(|pair| !pair.is_empty()) {
		let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
		match key {
			"mb" => params.mb = parse_bounded(key, value, MAX_MB)?,
			"rounds" => params.rounds = parse_bounded(key, value, MAX_ROUNDS)?,
			_ => {},
		}
	}
	Ok(params)
}

/// Parses `value` as an integer in `1..=max`.
fn parse_bounded<T>(key: &str, value: &str, max: T) -> Result<T, String>
where
	T: std::str::FromStr + PartialOrd + From<u8> + std::fmt::Display,
{
	match value.parse::<T>() {
		Ok(n) if n >= T::from(1) && n <= max => Ok(n),
		_ => Err(format!("invalid {key}={value:?}: expected an integer in 1..={max}\n")),
	}
}

/// The deterministic test buffer: byte `i` is `(i * 31 + 7) as u8`.
fn generate(len: usize) -> Vec<u8> {
	(0..len).map(|i| i.wrapping_mul(31).wrapping_add(7) as u8).collect()
}

/// `d_1 = sha256(data)`, `d_{k+1} = sha256(d_k ‖ data)`; returns `d_rounds`.
fn chained_sha256(data: &[u8], rounds: u32) -> [u8; 32] {
	let mut digest: Option<[u8; 32]> = None;
	for _ in 0..rounds {
		let mut hasher = Sha256::new();
		if let Some(previous) = digest {
			hasher.update(previous);
		}
		hasher.update(data);
		digest = Some(hasher.finalize().into());
	}
	digest.expect("rounds >= 1")
}

/// Lower-case hex encoding.
fn hex(bytes: &[u8]) -> String {
	const DIGITS: &[u8; 16] = b"0123456789abcdef";
	bytes
		.iter()
		.flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0xf)]])
		.map(char::from)
		.collect()
}

/// A `text/plain` response with the given status.
fn text(status: StatusCode, reason: impl Into<String>) -> Result<Response<Body>, Error> {
	Ok(Response::builder()
		.status(status)
		.header("content-type", "text/plain")
		.body(reason.into().into())?)
}
