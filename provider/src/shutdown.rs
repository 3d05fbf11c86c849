//! The daemon-wide shutdown signal: SIGTERM or Ctrl-C (or a test) triggers it once; the HTTP
//! server stops accepting and drains, the bid engine stops after its current pass (see
//! [`crate::daemon`]).

use std::sync::Arc;
use tokio::sync::watch;

/// A shutdown signal; clones share it. Triggering is idempotent.
#[derive(Clone, Debug)]
pub struct Shutdown {
	triggered: Arc<watch::Sender<bool>>,
}

impl Default for Shutdown {
	fn default() -> Self {
		Self::new()
	}
}

impl Shutdown {
	/// A signal not yet triggered.
	pub fn new() -> Self {
		Self { triggered: Arc::new(watch::Sender::new(false)) }
	}

	/// Requests the shutdown: every [`Shutdown::triggered`] resolves.
	pub fn trigger(&self) {
		self.triggered.send_replace(true);
	}

	/// Whether the shutdown was requested.
	pub fn is_triggered(&self) -> bool {
		*self.triggered.borrow()
	}

	/// Resolves once the shutdown is requested (at once if it already was).
	pub async fn triggered(&self) {
		let mut receiver = self.triggered.subscribe();
		// The sender lives as long as `self`: waiting cannot fail.
		let _ = receiver.wait_for(|triggered| *triggered).await;
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[tokio::test]
	async fn every_clone_sees_the_trigger_even_when_waiting_starts_later() {
		let shutdown = Shutdown::new();
		let waiter = shutdown.clone();
		let waiting = tokio::spawn(async move { waiter.triggered().await });
		assert!(!shutdown.is_triggered());
		shutdown.clone().trigger();
		waiting.await.expect("the waiter ends");
		assert!(shutdown.is_triggered());
		// Triggered before anyone waits: resolves at once; triggering again changes nothing.
		shutdown.trigger();
		shutdown.triggered().await;
	}
}
