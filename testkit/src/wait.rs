//! Waiting for a condition with a deadline: the condition is polled (every 250 ms) until it
//! holds; a deadline only turns a hang into a failure with a message, it never decides a
//! result.

use anyhow::{bail, Result};
use std::{
	future::Future,
	time::{Duration, Instant},
};

/// How long a fresh node may take to answer JSON-RPC.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(180);

/// How often a condition is checked again.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// Polls the synchronous `check` until it returns `Some` (or fails); an error naming `what`
/// after `deadline`.
pub async fn until<T>(
	what: &str,
	deadline: Instant,
	mut check: impl FnMut() -> Result<Option<T>>,
) -> Result<T> {
	loop {
		if let Some(value) = check()? {
			return Ok(value);
		}
		if Instant::now() >= deadline {
			bail!("timed out waiting for {what}");
		}
		tokio::time::sleep(POLL_INTERVAL).await;
	}
}

/// Polls the asynchronous `check` until it returns `Some`, at most `secs` seconds (a
/// deadline for hangs, not a measurement); errors of `check` count as "not yet".
pub async fn poll<T, F, Fut>(what: &str, secs: u64, mut check: F) -> Result<T>
where
	F: FnMut() -> Fut,
	Fut: Future<Output = Result<Option<T>>>,
{
	let deadline = Instant::now() + Duration::from_secs(secs);
	let mut last_error = None;
	loop {
		match check().await {
			Ok(Some(value)) => return Ok(value),
			Ok(None) => {},
			Err(error) => last_error = Some(error),
		}
		if Instant::now() >= deadline {
			match last_error {
				Some(error) => bail!("timed out waiting for {what} (last error: {error:#})"),
				None => bail!("timed out waiting for {what}"),
			}
		}
		tokio::time::sleep(POLL_INTERVAL).await;
	}
}
