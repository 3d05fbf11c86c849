//! Start-up: serve every stored deployment again (docs/architecture.md §11: a crashed provider
//! loses no deployments). The function host knows nothing of the store; this module moves the
//! deployments from one to the other.

use crate::{
	host::FunctionHost,
	store::{Store, StoreError},
};

/// What [`restore`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RestoreReport {
	/// Deployments served again from their stored artifact.
	pub deserialized: usize,
	/// Deployments whose artifact was missing or unusable and that were compiled again.
	pub recompiled: usize,
	/// Deployments that could not be served, with the reason.
	pub failed: Vec<(u64, String)>,
}

impl std::fmt::Display for RestoreReport {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(
			f,
			"{} deployment(s) restored from their artifact, {} recompiled, {} failed",
			self.deserialized,
			self.recompiled,
			self.failed.len()
		)?;
		for (order_id, reason) in &self.failed {
			write!(f, "; order {order_id}: {reason}")?;
		}
		Ok(())
	}
}

/// Serves every deployment in `store` on `host` again: from the stored artifact when it
/// deserializes, else by compiling the stored package (and storing the new artifact). A
/// deployment that fails is reported and skipped; only a database failure is an error.
pub fn restore(host: &FunctionHost, store: &Store) -> Result<RestoreReport, StoreError> {
	let mut report = RestoreReport::default();
	// One package in memory at a time.
	for order_id in store.deployment_ids()? {
		let Some(record) = store.deployment(order_id)? else { continue };
		if let Some(artifact) = store.artifact(order_id)? {
			match host.deploy_artifact(order_id, record.spec, &artifact) {
				Ok(true) => {
					report.deserialized = report.deserialized.saturating_add(1);
					continue;
				},
				// Unusable artifact: compile the package below.
				Ok(false) => {},
				Err(e) => {
					report.failed.push((order_id, e.to_string()));
					continue;
				},
			}
		}
		match host.deploy_optimized(order_id, record.spec, &record.package) {
			Ok(artifact) => {
				store.put_artifact(order_id, &artifact)?;
				report.recompiled = report.recompiled.saturating_add(1);
			},
			Err(e) => report.failed.push((order_id, e.to_string())),
		}
	}
	Ok(report)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn report_lists_every_failure() {
		let report = RestoreReport {
			deserialized: 2,
			recompiled: 1,
			failed: vec![(7, "invalid component: x".into())],
		};
		assert_eq!(
			report.to_string(),
			"2 deployment(s) restored from their artifact, 1 recompiled, 1 failed; \
			 order 7: invalid component: x"
		);
	}
}
