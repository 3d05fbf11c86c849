//! Two compiler tiers: a deployment answers at once from the baseline compiler's code (Winch)
//! and is swapped to the optimizing compiler's (Cranelift) when that is ready — requests keep
//! being answered across the swap, and an optimization overtaken by a redeployment changes
//! nothing.

use crate::support::*;
use defaas_provider::host::{Deployed, Tier};

/// Runs `optimization` on a blocking thread, as the daemon does: the artifact it kept if it
/// swapped the optimized code in.
async fn run(
	daemon: &TestDaemon,
	optimization: defaas_provider::host::Optimization,
) -> Option<Vec<u8>> {
	let host = daemon.state.host.clone();
	tokio::task::spawn_blocking(move || {
		let mut kept = None;
		let swapped = optimization
			.run(&host, |_, artifact| kept = Some(artifact.to_vec()))
			.expect("the optimizing compiler");
		swapped.then(|| kept.expect("kept before the swap"))
	})
	.await
	.expect("the optimization task")
}

/// The number of compilations by `tier` in the daemon's metrics.
async fn compilations(daemon: &TestDaemon, tier: Tier) -> u64 {
	let metrics = daemon.get("/metrics").await.text();
	let prefix = format!("defaas_provider_compile_seconds_count{{tier=\"{}\"}} ", tier.as_str());
	metrics
		.lines()
		.find_map(|line| line.strip_prefix(&prefix))
		.map_or(0, |count| count.parse().expect("a count"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployment_answers_from_the_baseline_code_until_the_optimized_code_is_swapped_in() {
	let daemon = TestDaemon::start(test_config()).await;
	let optimization = daemon.deploy_baseline(21, &function_bytes("hello"));
	assert_eq!(optimization.order_id(), 21);
	assert_eq!(daemon.state.host.tier(21), Some(Tier::Baseline));
	let reply = daemon.get("/o/21/first").await;
	assert_eq!((reply.status, reply.text()), (200, "Hello from DeFaaS! path=/o/21/first\n".into()));
	assert_eq!(compilations(&daemon, Tier::Baseline).await, 1);
	assert_eq!(compilations(&daemon, Tier::Optimized).await, 0);

	let artifact = run(&daemon, optimization).await.expect("swapped in");
	assert!(!artifact.is_empty());
	assert_eq!(daemon.state.host.tier(21), Some(Tier::Optimized));
	assert!(daemon.state.host.reached_tier(21, Tier::Optimized).await);
	let reply = daemon.get("/o/21/second").await;
	assert_eq!(
		(reply.status, reply.text()),
		(200, "Hello from DeFaaS! path=/o/21/second\n".into())
	);
	assert_eq!(compilations(&daemon, Tier::Optimized).await, 1);
	assert_eq!(daemon.state.host.compilations(), 1, "one package compiled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_running_across_the_swap_completes_on_the_code_it_started_with() {
	use tokio::io::{AsyncReadExt, AsyncWriteExt};
	let daemon = TestDaemon::start(test_config()).await;
	// `hash` hashes a POSTed body: sent in two parts, its instance (of the baseline code) is
	// running, waiting for the second, while the optimized code is swapped in.
	let optimization = daemon.deploy_baseline(22, &function_bytes("hash"));
	let mut stream = tokio::net::TcpStream::connect(daemon.addr).await.expect("connect");
	let head = "POST /o/22/ HTTP/1.1\r\nhost: x\r\ncontent-length: 11\r\nconnection: close\r\n\r\n";
	stream.write_all(format!("{head}hello").as_bytes()).await.expect("first part");
	let instances = &daemon.state.metrics.instances;
	let deadline = std::time::Instant::now() + EXCHANGE_TIMEOUT;
	defaas_testkit::wait::until("the instance to run", deadline, || {
		Ok((instances.get() == 1).then_some(()))
	})
	.await
	.expect("the instance runs");

	run(&daemon, optimization).await.expect("swapped in");
	assert_eq!(daemon.state.host.tier(22), Some(Tier::Optimized));
	// Meanwhile the next requests run the optimized code.
	assert_eq!(daemon.get("/o/22/?rounds=2").await.json()["rounds"], 2);

	stream.write_all(b" world").await.expect("second part");
	let mut answer = String::new();
	stream.read_to_string(&mut answer).await.expect("the answer");
	assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
	// sha256("hello world")
	let digest = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";
	assert!(answer.contains(&format!(r#"{{"mb":0,"rounds":1,"sha256":"{digest}"}}"#)), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_optimization_overtaken_by_a_redeployment_or_removal_changes_nothing() {
	let daemon = TestDaemon::start(test_config()).await;
	let first = daemon.deploy_baseline(23, &function_bytes("hello"));
	let second = daemon.deploy_baseline(23, &function_bytes("hash"));
	// The first package's optimization finishes after the second deployment: discarded.
	assert_eq!(run(&daemon, first).await, None);
	assert_eq!(daemon.state.host.tier(23), Some(Tier::Baseline));
	let reply = daemon.get("/o/23/").await;
	assert_eq!(reply.status, 200);
	assert_eq!(reply.json()["rounds"], 1, "the second package answers: {}", reply.text());
	assert!(run(&daemon, second).await.is_some());
	assert_eq!(daemon.state.host.tier(23), Some(Tier::Optimized));

	// Removed before its optimization finished: stays removed.
	let third = daemon.deploy_baseline(24, &function_bytes("hello"));
	assert!(daemon.state.host.undeploy(24));
	assert!(!daemon.state.host.reached_tier(24, Tier::Optimized).await);
	assert_eq!(run(&daemon, third).await, None);
	assert!(!daemon.state.host.is_deployed(24));
	assert_eq!(daemon.get("/o/24/").await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_baseline_compiler_a_deployment_is_optimized_at_once() {
	let config = defaas_provider::host::HostLimits { baseline_compiler: false, ..test_config() };
	let daemon = TestDaemon::start(config).await;
	let hello = function_bytes("hello");
	let facts = order_for(&hello);
	match daemon.state.host.deploy(25, facts.spec(), &hello).expect("deploy") {
		Deployed::Optimized(artifact) => assert!(!artifact.is_empty()),
		Deployed::Baseline(_) => panic!("no baseline compiler was configured"),
	}
	assert_eq!(daemon.state.host.tier(25), Some(Tier::Optimized));
	assert_eq!(compilations(&daemon, Tier::Baseline).await, 0);
}
