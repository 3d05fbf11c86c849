//! A restarted daemon serves its deployments again from the stored compiled artifacts, without
//! recompiling (docs/architecture.md §11: a crashed provider loses no deployments).

use crate::support::*;
use defaas_provider::{
	host::{FunctionHost, HostLimits},
	metrics::Metrics,
	restore::restore,
	store::Store,
};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_restores_deployments_from_stored_artifacts() {
	let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
	{
		let daemon = TestDaemon::start_in(dir.clone(), test_config()).await;
		assert_eq!(daemon.order_and_deploy(8, &function_bytes("hello")).await.status, 201);
		assert_eq!(daemon.state.host.compilations(), 1);
		// Resolves once the store is closed: the next daemon opens it at once.
		assert!(daemon.stop().await.store_closed);
	}

	let daemon = TestDaemon::start_in(dir.clone(), test_config()).await;
	assert_eq!(daemon.state.host.compilations(), 0, "restored without compiling");
	assert_eq!(daemon.state.host.deserializations(), 1);
	let reply = daemon.get("/o/8/again").await;
	assert_eq!(reply.status, 200);
	assert_eq!(reply.text(), "Hello from DeFaaS! path=/o/8/again\n");
	assert_eq!(daemon.get("/o/8/.well-known/defaas/health").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unusable_artifact_is_recompiled_from_the_stored_package() {
	let dir = tempfile::tempdir().expect("temp dir");
	let hello = function_bytes("hello");
	{
		let store = Store::open(dir.path()).expect("store");
		let host = FunctionHost::new(test_config(), Arc::new(Metrics::new().expect("metrics")))
			.expect("host");
		let spec = defaas_provider::host::DeploymentSpec {
			package_hash: hash(&hello),
			level: 0,
			memory_mb: 64,
			package_mb: 1,
			cpu_millicores: 1000,
		};
		host.deploy_optimized(9, spec, &hello).expect("deploy");
		let record = defaas_provider::store::DeploymentRecord {
			spec,
			deployed_at: now(),
			package: hello.clone(),
		};
		store.put_deployment(9, &record, Some(&b"not an artifact"[..])).expect("put");
	}
	let store = Store::open(dir.path()).expect("store");
	let host = FunctionHost::new(
		HostLimits { ..test_config() },
		Arc::new(Metrics::new().expect("metrics")),
	)
	.expect("host");
	let report = restore(&host, &store).expect("restore");
	assert_eq!((report.deserialized, report.recompiled, report.failed.len()), (0, 1, 0));
	assert!(host.is_serving(9));
	// The fresh artifact was stored: the next restart deserializes it.
	let again =
		FunctionHost::new(test_config(), Arc::new(Metrics::new().expect("metrics"))).expect("host");
	let report = restore(&again, &store).expect("restore");
	assert_eq!((report.deserialized, report.recompiled), (1, 0));
}
