//! The state the HTTP handlers share: the function host, the store, the metrics, the order
//! source and this provider's identity.

use crate::{
	config::HttpLimits, host::FunctionHost, metrics::Metrics, orders::OrderSource, store::Store,
};
use std::{
	collections::HashSet,
	sync::{Arc, Mutex},
};
use tokio::sync::mpsc::UnboundedSender;

/// Everything the HTTP handlers share.
pub struct AppState {
	/// The function host.
	pub host: Arc<FunctionHost>,
	/// The durable state.
	pub store: Arc<Store>,
	/// The metrics (the same as the host's).
	pub metrics: Arc<Metrics>,
	/// Facts about orders, from the chain.
	pub orders: Arc<dyn OrderSource>,
	/// This provider's account.
	pub provider: [u8; 32],
	/// The public base URL of this daemon (the endpoint registered on chain), without a
	/// trailing slash; deployment answers carry `<public_url>/o/N/`.
	pub public_url: String,
	/// Capacity per level, `(level, count)`, reported on `/healthz` (and from there in the
	/// heartbeat).
	pub capacity: Vec<(u32, u32)>,
	/// Connection caps and body deadlines of the HTTP server.
	pub http: HttpLimits,
	/// The deployment uploads in progress (one per order, a budget of bytes).
	pub uploads: UploadGate,
	/// Receives the order id of every successful deployment (the bid engine then submits
	/// `fulfill`). Sent again on an idempotent retry.
	pub deployed: UnboundedSender<u64>,
}

/// The uploads in progress: at most one per order (so concurrent copies of one upload are not
/// compiled and stored once each) and at most a budget of bytes in total (what each may still
/// send: its `Content-Length`, or the level's limit without one).
pub struct UploadGate {
	budget: u64,
	in_progress: Mutex<(HashSet<u64>, u64)>,
}

/// An admitted upload; its order and bytes are released when dropped.
pub struct Admitted<'a> {
	gate: &'a UploadGate,
	order_id: u64,
	bytes: u64,
}

impl UploadGate {
	/// A gate with room for `budget` bytes of uploads at once.
	pub fn new(budget: u64) -> Self {
		Self { budget, in_progress: Mutex::new((HashSet::new(), 0)) }
	}

	/// Admits an upload of `bytes` at most for `order_id`, or says why not.
	pub fn admit(&self, order_id: u64, bytes: u64) -> Result<Admitted<'_>, UploadRefusal> {
		let mut in_progress = self.in_progress.lock().unwrap_or_else(|p| p.into_inner());
		let (orders, reserved) = &mut *in_progress;
		if orders.contains(&order_id) {
			return Err(UploadRefusal::InProgress);
		}
		let total = reserved.saturating_add(bytes);
		// One upload alone is always admitted: the level's limit bounds it.
		if *reserved > 0 && total > self.budget {
			return Err(UploadRefusal::NoRoom);
		}
		orders.insert(order_id);
		*reserved = total;
		Ok(Admitted { gate: self, order_id, bytes })
	}
}

impl Drop for Admitted<'_> {
	fn drop(&mut self) {
		let mut in_progress = self.gate.in_progress.lock().unwrap_or_else(|p| p.into_inner());
		let (orders, reserved) = &mut *in_progress;
		orders.remove(&self.order_id);
		*reserved = reserved.saturating_sub(self.bytes);
	}
}

/// Why an upload is not admitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadRefusal {
	/// Another upload of the same order is in progress.
	InProgress,
	/// The uploads in progress leave no room in the budget.
	NoRoom,
}
