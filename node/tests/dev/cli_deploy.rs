//! The `defaas` CLI as a provider, a witness and a customer use it: `provider register`,
//! `witness register|show`, then a real auction on the dev chain matches an order to the
//! provider, whose registered endpoint is a recording HTTP server: `deploy` uploads the signed
//! package there (waiting while the auction runs, retrying a 503, printing a refusal), refuses
//! the wrong package or account before any upload, and `invoke` calls the function.

use crate::Shared;
use anyhow::{ensure, Context, Result};
use defaas_testkit::{
	bins::defaas,
	client::{
		accounts::{account_id, keypair},
		subxt::rpcs::rpc_params,
		subxt_signer::sr25519,
	},
	recorder::Recorder,
	steps::{self, FST},
	wait,
};
use serde_json::Value;
use std::sync::Arc;

pub async fn run(shared: Arc<Shared>) -> Result<()> {
	let chain = shared.node.chain().await?;
	let url = shared.node.ws_url.clone();
	let server = Recorder::start()?;
	let bytes = b"\0asm\x0d\0\x01\0 the function".to_vec();
	let package = shared.file("deploy-fn.wasm", &bytes)?;
	let (customer_suri, provider_suri, witness_suri) = (
		Shared::suri("cli-deploy", "customer"),
		Shared::suri("cli-deploy", "provider"),
		Shared::suri("cli-deploy", "witness"),
	);
	let (customer, provider, witness) =
		(keypair(&customer_suri)?, keypair(&provider_suri)?, keypair(&witness_suri)?);
	let address = |k: &sr25519::Keypair| account_id(k).to_string();

	// The provider registers with the test server as its endpoint.
	let register = [
		"--json",
		"provider",
		"register",
		"--stake",
		"1000",
		"--endpoint",
		&server.url,
		"--levels",
		"0,1",
		"--suri",
		&provider_suri,
	];
	let registered = defaas(&url, &register).await?.ok()?;
	ensure!(registered.json()?["endpoint"] == server.url.as_str(), "{}", registered.stdout);
	ensure!(registered.stderr.contains("heartbeat"), "{}", registered.stderr);
	let view: Value = chain.rpc.request("defaas_provider", rpc_params![address(&provider)]).await?;
	ensure!(view["stake"] == (1000 * FST).to_string(), "{view}");
	ensure!(view["levels"] == serde_json::json!([0, 1]), "{view}");
	ensure!(view["heartbeatKey"] == address(&provider).as_str(), "{view}");

	// A witness registers; the reminder about the `wtns` key is printed.
	let registered =
		defaas(&url, &["witness", "register", "--stake", "100", "--suri", &witness_suri])
			.await?
			.ok()?;
	ensure!(
		registered.stderr.contains("author_insertKey") && registered.stderr.contains("wtns"),
		"{}",
		registered.stderr
	);
	ensure!(registered.stdout.contains(&address(&witness)), "{}", registered.stdout);
	let view: Value = chain.rpc.request("defaas_witness", rpc_params![address(&witness)]).await?;
	ensure!(view["stake"] == (100 * FST).to_string(), "{view}");
	let shown = defaas(&url, &["--json", "witness", "show", &address(&witness)]).await?.ok()?;
	ensure!(shown.json()?["account"] == address(&witness).as_str(), "{}", shown.stdout);

	// The provider is online at level 1 (a heartbeat signed by its own account, the default
	// heartbeat key).
	steps::heartbeat(&chain, &provider, &[(1, 4)]).await?;

	// The customer orders at level 1 (level 0's clearing prices belong to the rpc test); the
	// provider commits a sealed bid at 3 FST.
	let create = [
		"--json",
		"order",
		"create",
		"--level",
		"1",
		"--periods",
		"2",
		"--max-price",
		"5",
		"--committee",
		"1",
		"--bid-window",
		"5",
		"--package",
		&package,
		"--suri",
		&customer_suri,
	];
	let created = defaas(&url, &create).await?.ok()?.json()?;
	let order_id = created["orderId"].as_u64().context("orderId")?;
	let id = order_id.to_string();
	let package_hash = defaas_primitives::deploy::package_hash(&bytes);
	let price = 3 * FST;
	steps::commit_bid(&chain, &provider, order_id, price).await?;

	// `deploy` waits (with progress lines) while the auction runs.
	let deploying = {
		let (url, id, package, customer) =
			(url.clone(), id.clone(), package.clone(), customer_suri.clone());
		tokio::spawn(async move {
			let args = ["deploy", &id, "--package", &package, "--suri", &customer, "--wait", "150"];
			defaas(&url, &args).await
		})
	};
	let deployed_url = format!("{}/o/{order_id}", server.url);
	server.answer(
		201,
		&format!(
			r#"{{"orderId":{order_id},"packageHash":"{}","url":"{deployed_url}","status":"deployed"}}"#,
			defaas_primitives::json::to_hex(&package_hash)
		),
	);
	wait_for_state(&chain, order_id, "revealing").await?;
	steps::reveal_bid(&chain, &provider, order_id, price).await?;
	wait_for_state(&chain, order_id, "confirming").await?;
	// The provider confirms (as its daemon would): the order is Deploying for the dev deploy
	// window (10 blocks), long enough for the deploy runs below.
	steps::provider_call(&chain, &provider, "confirm_order", order_id).await?;

	let deployed = deploying.await.context("deploy task")??.ok()?;
	ensure!(deployed.stdout.trim() == deployed_url, "{}", deployed.stdout);
	ensure!(deployed.stderr.contains("waiting for a provider"), "{}", deployed.stderr);
	let requests = server.requests();
	let upload = requests.last().context("an upload")?;
	ensure!(upload.method == "PUT" && upload.path == format!("/deployments/{order_id}"));
	ensure!(upload.header("content-type") == Some("application/wasm"), "{upload:?}");
	ensure!(upload.body == bytes, "the uploaded body is the package");
	let timestamp: u64 = upload.header("x-defaas-timestamp").context("timestamp")?.parse()?;
	let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
	ensure!(timestamp <= now && now - timestamp < 300, "{timestamp} vs {now}");
	let signature = upload.header("x-defaas-signature").context("signature")?;
	let signature = defaas_primitives::deploy::parse_signature(signature).context("64 bytes")?;
	let message = defaas_primitives::deploy::deploy_message(order_id, &package_hash, timestamp);
	ensure!(
		sr25519::verify(&sr25519::Signature(signature), &message, &customer.public_key()),
		"the upload is signed by the customer"
	);

	let deploy = ["deploy", &id, "--package", &package, "--suri", &customer_suri];
	// A refusal is printed with its code and message.
	server.answer(
		409,
		r#"{"error":"not_matched","message":"order is not matched to this provider"}"#,
	);
	let refused = defaas(&url, &deploy).await?.failed()?;
	ensure!(
		refused.stderr.contains(
			"deployment refused (409 not_matched): order is not matched to this provider"
		),
		"{}",
		refused.stderr
	);
	// A 503 is retried.
	server.answer(503, r#"{"error":"busy","message":"try later"}"#);
	server.answer(
		200,
		&format!(
			r#"{{"orderId":{order_id},"packageHash":"0x","url":"{deployed_url}","status":"deployed"}}"#
		),
	);
	let retried = defaas(&url, &deploy).await?.ok()?;
	ensure!(retried.stderr.contains("retrying"), "{}", retried.stderr);
	ensure!(retried.stdout.trim() == deployed_url, "{}", retried.stdout);
	// The wrong package or the wrong account is refused before any upload.
	let uploads = server.requests().len();
	let other = shared.file("deploy-other.wasm", b"another package")?;
	let wrong = defaas(&url, &["deploy", &id, "--package", &other, "--suri", &customer_suri])
		.await?
		.failed()?;
	ensure!(wrong.stderr.contains("expects the package"), "{}", wrong.stderr);
	let wrong = defaas(&url, &["deploy", &id, "--package", &package, "--suri", &witness_suri])
		.await?
		.failed()?;
	ensure!(wrong.stderr.contains("only the customer may deploy"), "{}", wrong.stderr);
	ensure!(server.requests().len() == uploads, "nothing was uploaded");

	// Invocations go to {endpoint}/o/{order}{path}.
	server.answer(200, "hello, world");
	let invoke = [
		"invoke",
		&id,
		"--path",
		"/greet?name=x",
		"-X",
		"POST",
		"--data",
		"hi",
		"-H",
		"x-test: yes",
		"-v",
	];
	let invoked = defaas(&url, &invoke).await?.ok()?;
	ensure!(invoked.stdout == "hello, world", "{}", invoked.stdout);
	ensure!(invoked.stderr.contains("< 200"), "{}", invoked.stderr);
	let requests = server.requests();
	let call = requests.get(uploads).context("the invocation arrived")?;
	ensure!(
		call.method == "POST" && call.path == format!("/o/{order_id}/greet?name=x"),
		"{call:?}"
	);
	ensure!(call.body == b"hi" && call.header("x-test") == Some("yes"), "{call:?}");
	server.answer(404, "no such route");
	let missing = defaas(&url, &["invoke", &id, "--path", "/nope"]).await?.failed()?;
	ensure!(missing.stdout == "no such route", "{}", missing.stdout);
	ensure!(missing.stderr.contains("404"), "{}", missing.stderr);
	Ok(())
}

/// Waits until `defaas_order` shows the order in `state` (moved by the block hooks alone).
async fn wait_for_state(chain: &defaas_testkit::Chain, order_id: u64, state: &str) -> Result<()> {
	wait::poll(&format!("order {order_id} to be {state}"), 90, || async move {
		let order: Value = chain.rpc.request("defaas_order", rpc_params![order_id]).await?;
		let current = order["state"].as_object().and_then(|m| m.keys().next().cloned());
		Ok((current.as_deref() == Some(state)).then_some(()))
	})
	.await
}
