//! polkadot.js compatibility: `@polkadot/api` (the library polkadot.js Apps is built on),
//! connected to the real dev node, decodes the metadata, reports FST with 12 decimals, reads a
//! 128-bit value of the `defaas_*` RPC exactly (a decimal string → `BigInt`; a JSON number
//! would lose the last digits above 2^53), shows the stable test asset with its metadata, and
//! pays a transaction's fee in it with the `assetId` signer option from an account that holds
//! no FST.
//!
//! Needs Node.js and npm; installs `tests/js`'s locked dependencies when missing (`.ci/run`
//! does it up front).

use crate::Shared;
use anyhow::{ensure, Context, Result};
use defaas_testkit::{
	client::{
		accounts::{account_id, keypair},
		subxt::dynamic::Value as DynValue,
	},
	steps::FST,
};
use serde_json::Value;
use std::{path::PathBuf, sync::Arc};

fn js_dir() -> PathBuf {
	defaas_testkit::bins::workspace_root().join("node/tests/js")
}

async fn ensure_npm_dependencies() -> Result<()> {
	if js_dir().join("node_modules/@polkadot/api").exists() {
		return Ok(());
	}
	let status = tokio::process::Command::new("npm")
		.args(["ci", "--no-audit", "--no-fund"])
		.current_dir(js_dir())
		.status()
		.await
		.context("npm is installed (Node.js 18+)")?;
	ensure!(status.success(), "npm ci in node/tests/js failed");
	Ok(())
}

pub async fn run(shared: Arc<Shared>) -> Result<()> {
	ensure_npm_dependencies().await?;
	let chain = shared.node.chain().await?;
	// A witness stake that a double cannot hold: 10,000 FST + 1 planck = 10^16 + 1 > 2^53.
	let witness = keypair("//Ferdie")?;
	let stake = 10_000 * FST + 1;
	chain
		.submit(
			&witness,
			"WitnessPool",
			"register_witness",
			vec![DynValue::u128(stake), DynValue::from_bytes([6u8; 32])],
		)
		.await?;
	let output = tokio::process::Command::new("node")
		.arg(js_dir().join("check_chain.mjs"))
		.arg(&shared.node.ws_url)
		.arg(account_id(&witness).to_string())
		// A fresh account that will hold only TUSD.
		.arg("//DefaasJsFeeInAsset")
		.output()
		.await
		.context("node (Node.js) runs")?;
	ensure!(
		output.status.success(),
		"check_chain.mjs failed: {}",
		String::from_utf8_lossy(&output.stderr)
	);
	let report: Value = serde_json::from_slice(&output.stdout).context("JSON report")?;
	ensure!(report["chain"] == "DeFaaS Development", "{report}");
	ensure!(report["tokenSymbol"] == serde_json::json!(["FST"]), "{report}");
	ensure!(report["tokenDecimals"] == serde_json::json!([12]), "{report}");
	ensure!(report["ss58Format"] == 42, "{report}");
	ensure!(report["existentialDeposit"] == "1000000000", "{report}");
	let pallets: Vec<&str> =
		report["pallets"].as_array().context("pallets")?.iter().filter_map(Value::as_str).collect();
	for pallet in [
		"System",
		"Timestamp",
		"Babe",
		"Grandpa",
		"Balances",
		"TransactionPayment",
		"Sudo",
		"Market",
		"WitnessPool",
		"FaasToken",
	] {
		ensure!(pallets.contains(&pallet), "{pallet} missing from {pallets:?}");
	}
	// JavaScript saw a string and read it exactly as a BigInt.
	ensure!(report["witnessStakeType"] == "string", "{report}");
	ensure!(report["witnessStake"] == stake.to_string(), "{report}");
	// The stable test asset with its metadata, and orders naming their payment asset.
	ensure!(
		report["asset"]
			== serde_json::json!({
				"name": "DeFaaS Test Dollar", "symbol": "TUSD", "decimals": 6, "sufficient": true
			}),
		"{report}"
	);
	ensure!(report["createOrderArgs"].as_array().and_then(|a| a.last()) == Some(&"asset".into()));
	// polkadot.js's asset-fee option: the fee was paid in TUSD by an account without FST.
	let fee_in_asset = &report["feeInAsset"];
	let fee: u128 = fee_in_asset["fee"].as_str().context("AssetTxFeePaid")?.parse()?;
	let spent: u128 = fee_in_asset["spent"].as_str().context("spent")?.parse()?;
	ensure!(fee > 0 && spent == 1_000_000 + fee, "{report}");
	ensure!(fee_in_asset["fstFree"] == "0", "{report}");
	Ok(())
}
