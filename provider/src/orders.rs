//! What the deployment API needs to know about an order, and the [`OrderSource`] it asks: the
//! chain over RPC in the daemon ([`crate::chain::RpcOrders`]), a fixed table in the tests.

use crate::host::DeploymentSpec;
use defaas_primitives::OrderId;
use std::{future::Future, pin::Pin};

/// What the deployment API needs to know about an order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderFacts {
	/// The account that created the order (its sr25519 public key).
	pub customer: [u8; 32],
	/// The provider of the order's lease, or its Confirming candidate; `None` before.
	pub matched_provider: Option<[u8; 32]>,
	/// `blake2_256` of the package the customer committed to.
	pub package_hash: [u8; 32],
	/// Whether the order is Finished, Failed or Cancelled.
	pub ended: bool,
	/// The order's FaaS level.
	pub level: u32,
	/// The level's memory, MiB.
	pub memory_mb: u32,
	/// The level's largest package, MiB.
	pub package_mb: u32,
	/// The level's CPU share, millicores.
	pub cpu_millicores: u32,
}

impl OrderFacts {
	/// The deployment spec of this order.
	pub fn spec(&self) -> DeploymentSpec {
		DeploymentSpec {
			package_hash: self.package_hash,
			level: self.level,
			memory_mb: self.memory_mb,
			package_mb: self.package_mb,
			cpu_millicores: self.cpu_millicores,
		}
	}

	/// The largest package accepted, in bytes.
	pub fn package_limit(&self) -> usize {
		usize::try_from(u64::from(self.package_mb) << 20).unwrap_or(usize::MAX)
	}
}

/// The future of an [`OrderSource`] lookup.
pub type OrderFuture<'a> =
	Pin<Box<dyn Future<Output = anyhow::Result<Option<OrderFacts>>> + Send + 'a>>;

/// Where the deployment API looks orders up (the chain, through the node's RPC).
pub trait OrderSource: Send + Sync + 'static {
	/// The facts of `order_id`, `None` if the chain has no such order; `Err` if the chain
	/// could not be asked.
	fn order(&self, order_id: OrderId) -> OrderFuture<'_>;
}
