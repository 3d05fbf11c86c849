//! The state the HTTP handlers share: the function host, the store, the metrics, the order
//! source and this provider's identity.

use crate::{
	config::HttpLimits, host::FunctionHost, metrics::Metrics, orders::OrderSource, store::Store,
};
use std::sync::Arc;
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
	/// Receives the order id of every successful deployment (the bid engine then submits
	/// `fulfill`). Sent again on an idempotent retry.
	pub deployed: UnboundedSender<u64>,
}
