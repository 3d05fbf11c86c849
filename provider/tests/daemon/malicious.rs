//! The malicious-function set (examples/functions: spin, membomb, huge, panicky): each is
//! contained by its limit with a clear error, keeps answering its next request the same way,
//! and never disturbs a well-behaved deployment served at the same time — with the baseline
//! compiler's code (Winch) as with the optimizing compiler's (Cranelift).

use crate::support::*;
use defaas_provider::{
	host::{Optimization, Tier},
	metrics::RejectReason,
};
use std::time::{Duration, Instant};

/// Order ids of the set.
const HELLO: u64 = 1;
const SPIN: u64 = 2;
const MEMBOMB: u64 = 3;
const HUGE: u64 = 4;
const PANICKY: u64 = 5;

/// Deploys the set with `tier`'s code: through the deployment API and waiting for the
/// optimized code, or on the host directly with the optimizations held back (returned: the
/// baseline code serves while they are alive).
async fn deploy_set(daemon: &TestDaemon, tier: Tier) -> Vec<Optimization> {
	let mut held = Vec::new();
	for (order_id, name) in [
		(HELLO, "hello"),
		(SPIN, "spin"),
		(MEMBOMB, "membomb"),
		(HUGE, "huge"),
		(PANICKY, "panicky"),
	] {
		let package = function_bytes(name);
		match tier {
			Tier::Baseline => held.push(daemon.deploy_baseline(order_id, &package)),
			Tier::Optimized => {
				let reply = daemon.order_and_deploy(order_id, &package).await;
				assert_eq!(reply.status, 201, "{name}: {}", reply.text());
				assert!(daemon.state.host.reached_tier(order_id, Tier::Optimized).await);
			},
		}
		assert_eq!(daemon.state.host.tier(order_id), Some(tier), "{name}");
	}
	held
}

/// Both tiers, the baseline first.
const TIERS: [Tier; 2] = [Tier::Baseline, Tier::Optimized];

async fn assert_hello_answers(daemon: &TestDaemon) {
	let reply = daemon.get("/o/1/still-there").await;
	assert_eq!(reply.status, 200);
	assert_eq!(reply.text(), "Hello from DeFaaS! path=/o/1/still-there\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spinning_function_is_cut_off_by_its_cpu_budget() {
	for tier in TIERS {
		eprintln!("with the {tier:?} code");
		let daemon = TestDaemon::start(test_config()).await;
		let _held = deploy_set(&daemon, tier).await;
		for _ in 0..2 {
			let started = Instant::now();
			let reply = daemon.get("/o/2/").await;
			let took = started.elapsed();
			assert_eq!(reply.status, 503);
			assert_eq!(reply.text(), "function trapped: cpu time limit exceeded\n");
			// A 200 ms budget; generous bound for a loaded 2-core machine.
			assert!(
				took >= Duration::from_millis(150) && took < Duration::from_secs(3),
				"{took:?}"
			);
			eprintln!("spin cut off after {took:?}");
			assert_hello_answers(&daemon).await;
		}
		assert_eq!(daemon.state.metrics.rejected_count(RejectReason::CpuTime), 2);
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_bomb_traps_at_the_level_memory_limit() {
	for tier in TIERS {
		eprintln!("with the {tier:?} code");
		let daemon = TestDaemon::start(test_config()).await;
		let _held = deploy_set(&daemon, tier).await;
		for _ in 0..2 {
			let reply = daemon.get("/o/3/").await;
			assert_eq!(reply.status, 500);
			assert_eq!(reply.text(), "function trapped: memory limit exceeded\n");
			assert_hello_answers(&daemon).await;
		}
		assert_eq!(daemon.state.metrics.rejected_count(RejectReason::Memory), 2);
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_response_is_cut_at_the_size_cap() {
	for tier in TIERS {
		eprintln!("with the {tier:?} code");
		let daemon = TestDaemon::start(test_config()).await;
		let _held = deploy_set(&daemon, tier).await;
		for _ in 0..2 {
			let reply = daemon.get("/o/4/").await;
			assert_eq!(reply.status, 200);
			assert!(!reply.complete, "the body must break off, not end normally");
			assert!(reply.body.len() <= 1 << 20, "{} bytes passed the 1 MiB cap", reply.body.len());
			assert!(reply.body.iter().all(|b| *b == b'x'));
			assert_hello_answers(&daemon).await;
		}
		let metrics = &daemon.state.metrics;
		assert_eq!(metrics.rejected_count(RejectReason::ResponseTooLarge), 2);
		// The function failing to write after the cut is not counted again as a trap.
		assert_eq!(metrics.rejected_count(RejectReason::Trap), 0);
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panicking_function_answers_500_and_keeps_serving() {
	for tier in TIERS {
		eprintln!("with the {tier:?} code");
		let daemon = TestDaemon::start(test_config()).await;
		let _held = deploy_set(&daemon, tier).await;
		for _ in 0..2 {
			let reply = daemon.get("/o/5/").await;
			assert_eq!(reply.status, 500);
			assert!(reply.text().starts_with("function trapped: "), "{}", reply.text());
			assert_hello_answers(&daemon).await;
		}
		assert_eq!(daemon.state.metrics.rejected_count(RejectReason::Trap), 2);
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_package_is_refused_at_upload() {
	let daemon = TestDaemon::start(test_config()).await;
	let mut package = function_bytes("hello");
	package.resize((1 << 20) + 4096, 0);
	let reply = daemon.order_and_deploy(6, &package).await;
	assert_eq!(reply.status, 413);
	assert_eq!(reply.error_code(), "package_too_large");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malicious_functions_running_together_do_not_disturb_a_good_one() {
	for tier in TIERS {
		eprintln!("with the {tier:?} code");
		let daemon = TestDaemon::start(test_config()).await;
		let _held = deploy_set(&daemon, tier).await;
		let addr = daemon.addr;
		let attacks: Vec<_> = [SPIN, MEMBOMB, HUGE, PANICKY]
			.into_iter()
			.map(|order_id| {
				tokio::spawn(async move {
					request(addr, "GET", &format!("/o/{order_id}/"), &[], Vec::new()).await
				})
			})
			.collect();
		let mut hello_answers = 0;
		for _ in 0..10 {
			assert_hello_answers(&daemon).await;
			hello_answers += 1;
		}
		let replies: Vec<Reply> =
			futures_join(attacks).await.into_iter().map(|r| r.expect("attack task")).collect();
		assert_eq!(hello_answers, 10);
		assert_eq!(replies[0].text(), "function trapped: cpu time limit exceeded\n");
		assert_eq!(replies[1].text(), "function trapped: memory limit exceeded\n");
		assert!(!replies[2].complete);
		assert_eq!(replies[3].status, 500);
		// Every deployment still exists and answers again.
		for order_id in [HELLO, SPIN, MEMBOMB, HUGE, PANICKY] {
			assert!(daemon.state.host.is_serving(order_id));
		}
		assert_hello_answers(&daemon).await;
		let metrics = &daemon.state.metrics;
		for reason in [
			RejectReason::CpuTime,
			RejectReason::Memory,
			RejectReason::ResponseTooLarge,
			RejectReason::Trap,
		] {
			assert_eq!(metrics.rejected_count(reason), 1, "{reason:?}");
		}
		assert_eq!(metrics.instances.get(), 0);
	}
}

/// Awaits every handle in order.
async fn futures_join<T>(
	handles: Vec<tokio::task::JoinHandle<T>>,
) -> Vec<Result<T, tokio::task::JoinError>> {
	let mut out = Vec::new();
	for handle in handles {
		out.push(handle.await);
	}
	out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wall_time_limit_ends_a_response_that_never_finishes() {
	// A cap and CPU budget too large to matter: only the wall time stops `huge`.
	let mut config = test_config();
	config.max_response_bytes = u64::MAX;
	config.cpu_budget = Duration::from_secs(30);
	config.wall_time = Duration::from_millis(500);
	let daemon = TestDaemon::start(config).await;
	assert_eq!(daemon.order_and_deploy(HUGE, &function_bytes("huge")).await.status, 201);
	let started = Instant::now();
	let reply = daemon.get("/o/4/").await;
	let took = started.elapsed();
	assert_eq!(reply.status, 200);
	assert!(!reply.complete, "the body must break off, not end normally");
	assert!(took < Duration::from_secs(5), "{took:?}");
	let metrics = &daemon.state.metrics;
	assert_eq!(metrics.rejected_count(RejectReason::WallTime), 1);
	assert_eq!(metrics.instances.get(), 0);
}
