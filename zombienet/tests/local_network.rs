//! The 4-validator network of `zombienet/local.toml`, spawned by zombienet-sdk's native
//! provider from the real `defaas-node` binary: every node imports blocks, GRANDPA finality
//! advances on every node, and after one validator is killed the other three keep finalizing
//! (3 of 4 is above GRANDPA's 2/3 threshold).

use std::{
	path::PathBuf,
	time::{Duration, Instant},
};
use zombienet_sdk::{LocalFileSystem, Network, NetworkConfig, NetworkConfigExt};

const BEST: &str = "block_height{status=\"best\"}";
const FINALIZED: &str = "block_height{status=\"finalized\"}";
const VALIDATORS: [&str; 4] = ["alice", "bob", "charlie", "dave"];

/// The `defaas-node` binary: `$DEFAAS_NODE`, or the one cargo built next to this test
/// (`target/<profile>/defaas-node`, two levels above `target/<profile>/deps/<test>`).
fn node_binary() -> PathBuf {
	if let Some(path) = std::env::var_os("DEFAAS_NODE") {
		return PathBuf::from(path);
	}
	let exe = std::env::current_exe().expect("test executable path");
	let profile_dir = exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>");
	let node = profile_dir.join("defaas-node");
	assert!(
		node.exists(),
		"{} not found: build it first (cargo build --release -p defaas-node) or set DEFAAS_NODE",
		node.display()
	);
	node
}

async fn finalized(network: &Network<LocalFileSystem>, name: &str) -> anyhow::Result<f64> {
	network.get_node(name)?.reports(FINALIZED).await
}

async fn exercise(network: &Network<LocalFileSystem>) -> anyhow::Result<()> {
	// Every validator is up, imports blocks and sees finality.
	for name in VALIDATORS {
		let node = network.get_node(name)?;
		node.wait_metric_with_timeout(BEST, |height| height >= 5.0, 240u64).await?;
		node.wait_metric_with_timeout(FINALIZED, |height| height >= 3.0, 240u64).await?;
	}

	// Kill Dave's process, then the other three must finalize at least 5 more blocks. The node is
	// paused first so that zombienet's crash monitor knows it is down on purpose (it tears the
	// whole network down when a running node stops answering), then killed by the provider.
	let dave = network.get_node("dave")?;
	dave.pause().await?;
	dave.core().inner().destroy().await?;
	let started = Instant::now();
	let baseline = finalized(network, "alice").await?;
	for name in ["alice", "bob", "charlie"] {
		network
			.get_node(name)?
			.wait_metric_with_timeout(FINALIZED, |height| height >= baseline + 5.0, 180u64)
			.await?;
	}
	println!(
		"after killing dave: 3 validators finalized 5 more blocks (from #{baseline}) in {:?}",
		started.elapsed()
	);
	Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn four_validators_finalize_and_survive_one_killed() {
	let node = node_binary();
	let bin_dir = node.parent().expect("binary directory").to_path_buf();
	let path = std::env::var_os("PATH").unwrap_or_default();
	let joined = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(&path)))
		.expect("PATH");
	// zombienet resolves `default_command = "defaas-node"` through PATH.
	std::env::set_var("PATH", joined);

	// The manifest directory at run time (cargo sets it for tests): a binary reused from a
	// checkout at another path must not look for the network definition there.
	let dir = std::env::var("CARGO_MANIFEST_DIR")
		.unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string());
	let toml = format!("{dir}/local.toml");
	let config = NetworkConfig::load_from_toml(&toml).expect("valid zombienet/local.toml");
	let started = Instant::now();
	let network = config.spawn_native().await.expect("spawn the 4-validator network");
	println!("network spawned in {:?}", started.elapsed());

	let outcome = tokio::time::timeout(Duration::from_secs(600), exercise(&network)).await;
	// Always stop every process, whatever happened.
	let _ = network.destroy().await;
	match outcome {
		Ok(result) => result.expect("network behaves"),
		Err(_) => panic!("the network test did not finish within 600 s"),
	}
}
