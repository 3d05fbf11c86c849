//! The state the HTTP handlers share: the function host (or the pool's gateway), the store,
//! the metrics, the order source and this provider's identity.

use crate::{
	config::HttpLimits, host::FunctionHost, metrics::Metrics, orders::OrderSource,
	pool::gateway::Gateway, store::Store,
};
use std::{
	collections::{HashMap, HashSet},
	net::IpAddr,
	sync::{Arc, Mutex},
	time::Instant,
};
use tokio::sync::mpsc::UnboundedSender;

/// Everything the HTTP handlers share.
pub struct AppState {
	/// The function host (a pool gateway only checks packages with it: its workers run them).
	pub host: Arc<FunctionHost>,
	/// The pool this daemon is the gateway of, if any (`[pool] role = "gateway"`).
	pub pool: Option<Arc<Gateway>>,
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
	/// Deployment requests per client address (each costs a chain lookup).
	pub lookups: LookupLimiter,
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

	/// The gate of `limits` ([`HttpLimits::max_upload_mb_in_flight`]).
	pub fn for_limits(limits: &HttpLimits) -> Self {
		Self::new(limits.upload_budget())
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

/// Deployment requests per client IP address: a token bucket per address holding `burst`
/// requests, refilled at `per_minute`. Addresses whose bucket is full again are forgotten when
/// the table grows past [`LookupLimiter::MAX_TRACKED`], so the table stays bounded.
///
/// Integer arithmetic: a request costs [`LookupLimiter::COST`] units (a minute in
/// milliseconds) and every millisecond refills `per_minute` units.
pub struct LookupLimiter {
	per_minute: u64,
	capacity: u64,
	buckets: Mutex<HashMap<IpAddr, (u64, Instant)>>,
}

impl LookupLimiter {
	/// Addresses tracked before full buckets are dropped.
	pub const MAX_TRACKED: usize = 65_536;
	/// Units one request costs.
	const COST: u64 = 60_000;

	/// A limiter of `burst` requests at once and `per_minute` on average per address.
	pub fn new(per_minute: u32, burst: u32) -> Self {
		Self {
			per_minute: u64::from(per_minute),
			capacity: u64::from(burst.max(1)).saturating_mul(Self::COST),
			buckets: Mutex::new(HashMap::new()),
		}
	}

	/// The units of a bucket that held `tokens` at `at`, at `now`.
	fn refilled(&self, tokens: u64, at: Instant, now: Instant) -> u64 {
		let elapsed =
			u64::try_from(now.saturating_duration_since(at).as_millis()).unwrap_or(u64::MAX);
		tokens.saturating_add(elapsed.saturating_mul(self.per_minute)).min(self.capacity)
	}

	/// The limiter of `limits` ([`HttpLimits::deploy_lookups_per_minute`],
	/// [`HttpLimits::deploy_lookup_burst`]).
	pub fn for_limits(limits: &HttpLimits) -> Self {
		Self::new(limits.deploy_lookups_per_minute, limits.deploy_lookup_burst)
	}

	/// Takes one request for `source` at `now`, or says in how many seconds (at least one) the
	/// address may ask again.
	pub fn take(&self, source: IpAddr, now: Instant) -> Result<(), u64> {
		let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
		if buckets.len() >= Self::MAX_TRACKED {
			buckets.retain(|_, (tokens, at)| self.refilled(*tokens, *at, now) < self.capacity);
		}
		let (tokens, at) = buckets.entry(source).or_insert((self.capacity, now));
		*tokens = self.refilled(*tokens, *at, now);
		*at = now;
		if *tokens >= Self::COST {
			*tokens = tokens.saturating_sub(Self::COST);
			return Ok(());
		}
		let missing_ms = Self::COST.saturating_sub(*tokens).div_ceil(self.per_minute.max(1));
		Err(missing_ms.div_ceil(1000).max(1))
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::{net::Ipv4Addr, time::Duration};

	const A: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
	const B: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));

	#[test]
	fn a_burst_then_the_rate_per_address() {
		let limiter = LookupLimiter::new(60, 3);
		let t0 = Instant::now();
		for _ in 0..3 {
			assert_eq!(limiter.take(A, t0), Ok(()));
		}
		assert_eq!(limiter.take(A, t0), Err(1), "one a second: back in a second");
		assert_eq!(limiter.take(B, t0), Ok(()), "another address has its own bucket");
		assert_eq!(limiter.take(A, t0 + Duration::from_millis(500)), Err(1));
		assert_eq!(limiter.take(A, t0 + Duration::from_secs(1)), Ok(()));
		// A long pause refills the burst, never more.
		let later = t0 + Duration::from_secs(3600);
		for _ in 0..3 {
			assert_eq!(limiter.take(A, later), Ok(()));
		}
		assert!(limiter.take(A, later).is_err());
	}

	#[test]
	fn a_slow_rate_says_how_long_to_wait() {
		let limiter = LookupLimiter::new(1, 1);
		let t0 = Instant::now();
		assert_eq!(limiter.take(A, t0), Ok(()));
		assert_eq!(limiter.take(A, t0), Err(60));
		assert_eq!(limiter.take(A, t0 + Duration::from_secs(30)), Err(30));
		let none = LookupLimiter::new(0, 1);
		assert_eq!(none.take(A, t0), Ok(()));
		assert!(
			none.take(A, t0 + Duration::from_secs(3600)).is_err(),
			"a rate of 0: the burst only"
		);
	}
}
