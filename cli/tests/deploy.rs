//! `provider register`, `witness register`, and `deploy`/`invoke` against a recording HTTP
//! server registered as the provider's endpoint: a real auction on the dev chain matches the
//! order to that provider, then the CLI uploads the signed package and calls the function.

mod support;

use subxt::{dynamic::Value as DynValue, rpcs::rpc_params};
use subxt_signer::sr25519::dev;
use support::{defaas, submit, wait_for_state, DevNode, Scratch, TestServer, FST};

#[tokio::test(flavor = "multi_thread")]
async fn registered_provider_receives_the_signed_package_and_invocations() {
	let node = DevNode::start("cli-deploy").await;
	let (rpc, api) = node.clients();
	let url = node.ws_url.clone();
	let server = TestServer::start();
	let scratch = Scratch::new("deploy");
	let bytes = b"\0asm\x0d\0\x01\0 the function".to_vec();
	let package = scratch.file("fn.wasm", &bytes);
	let (bob, dave, eve) = (dev::bob(), dev::dave(), dev::eve());
	let address = |k: &subxt_signer::sr25519::Keypair| k.public_key().to_account_id().to_string();

	// Bob registers as a provider whose endpoint is the test server.
	let registered = defaas(
		&url,
		&[
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
			"//Bob",
		],
	)
	.await
	.ok();
	assert_eq!(registered.json()["endpoint"], server.url.as_str());
	assert!(registered.stderr.contains("heartbeat"), "{}", registered.stderr);
	let view: serde_json::Value =
		rpc.request("defaas_provider", rpc_params![address(&bob)]).await.unwrap();
	assert_eq!(view["stake"], (1000 * FST).to_string(), "{view}");
	assert_eq!(view["levels"], serde_json::json!([0, 1]));
	assert_eq!(view["heartbeatKey"], address(&bob).as_str());

	// Eve registers as a witness; the reminder about the `wtns` key is printed.
	let witness =
		defaas(&url, &["witness", "register", "--stake", "100", "--suri", "//Eve"]).await.ok();
	assert!(witness.stderr.contains("author_insertKey") && witness.stderr.contains("wtns"));
	assert!(witness.stdout.contains(&address(&eve)), "{}", witness.stdout);
	let view: serde_json::Value =
		rpc.request("defaas_witness", rpc_params![address(&eve)]).await.unwrap();
	assert_eq!(view["stake"], (100 * FST).to_string(), "{view}");
	let shown = defaas(&url, &["--json", "witness", "show", &address(&eve)]).await.ok().json();
	assert_eq!(shown["account"], address(&eve).as_str());

	// Bob is online (a heartbeat signed by his own account, the default heartbeat key).
	submit(
		&api,
		&rpc,
		&bob,
		"Market",
		"heartbeat",
		vec![DynValue::unnamed_composite([DynValue::unnamed_composite([
			DynValue::u128(0),
			DynValue::u128(4),
		])])],
	)
	.await;

	// Dave orders; Bob commits a sealed bid at 3 FST.
	let created = defaas(
		&url,
		&[
			"--json",
			"order",
			"create",
			"--level",
			"0",
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
			"//Dave",
		],
	)
	.await
	.ok()
	.json();
	let order_id = created["orderId"].as_u64().expect("orderId");
	let package_hash = defaas_primitives::deploy::package_hash(&bytes);
	let (price, salt) = (3 * FST, [9u8; 32]);
	let commitment = defaas_primitives::commitments::bid_commitment(
		order_id,
		&price,
		&salt,
		&bob.public_key().0,
	);
	submit(
		&api,
		&rpc,
		&bob,
		"Market",
		"commit_bid",
		vec![DynValue::u128(order_id.into()), DynValue::from_bytes(commitment)],
	)
	.await;

	// `deploy` waits (with progress lines) while the auction runs.
	let deploying = {
		let url = url.clone();
		let package = package.clone();
		tokio::spawn(async move {
			defaas(
				&url,
				&[
					"deploy",
					&order_id.to_string(),
					"--package",
					&package,
					"--suri",
					"//Dave",
					"--wait",
					"150",
				],
			)
			.await
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
	wait_for_state(&api, &rpc, order_id, "revealing", 90).await;
	submit(
		&api,
		&rpc,
		&bob,
		"Market",
		"reveal_bid",
		vec![DynValue::u128(order_id.into()), DynValue::u128(price), DynValue::from_bytes(salt)],
	)
	.await;
	wait_for_state(&api, &rpc, order_id, "confirming", 90).await;
	// Bob confirms (as his daemon would): the order is Deploying for the dev deploy window
	// (10 blocks), long enough for the deploy runs below.
	submit(&api, &rpc, &bob, "Market", "confirm_order", vec![DynValue::u128(order_id.into())])
		.await;

	let deployed = deploying.await.expect("deploy task").ok();
	assert_eq!(deployed.stdout.trim(), deployed_url);
	assert!(deployed.stderr.contains("waiting for a provider"), "{}", deployed.stderr);
	let requests = server.requests();
	let upload = requests.last().expect("an upload");
	assert_eq!(upload.method, "PUT");
	assert_eq!(upload.path, format!("/deployments/{order_id}"));
	assert_eq!(upload.header("content-type"), Some("application/wasm"));
	assert_eq!(upload.body, bytes);
	let timestamp: u64 = upload.header("x-defaas-timestamp").expect("timestamp").parse().unwrap();
	let now = defaas_cli::deploy::unix_now();
	assert!(timestamp <= now && now - timestamp < 300, "{timestamp} vs {now}");
	let signature = upload.header("x-defaas-signature").expect("signature");
	let signature = defaas_primitives::deploy::parse_signature(signature).expect("64 bytes");
	let signature = subxt_signer::sr25519::Signature(signature);
	let message = defaas_primitives::deploy::deploy_message(order_id, &package_hash, timestamp);
	assert!(subxt_signer::sr25519::verify(&signature, &message, &dave.public_key()));

	let deploy = ["deploy", &order_id.to_string(), "--package", &package, "--suri", "//Dave"]
		.map(String::from);
	let deploy: Vec<&str> = deploy.iter().map(String::as_str).collect();
	// A refusal is printed with its code and message.
	server.answer(
		409,
		r#"{"error":"not_matched","message":"order is not matched to this provider"}"#,
	);
	let refused = defaas(&url, &deploy).await.failed();
	assert!(
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
	let retried = defaas(&url, &deploy).await.ok();
	assert!(retried.stderr.contains("retrying"), "{}", retried.stderr);
	assert_eq!(retried.stdout.trim(), deployed_url);
	// The wrong package or the wrong account is refused before any upload.
	let other = scratch.file("other.wasm", b"another package");
	let wrong =
		defaas(&url, &["deploy", &order_id.to_string(), "--package", &other, "--suri", "//Dave"])
			.await;
	assert!(wrong.failed().stderr.contains("expects the package"));
	let wrong =
		defaas(&url, &["deploy", &order_id.to_string(), "--package", &package, "--suri", "//Eve"])
			.await;
	assert!(wrong.failed().stderr.contains("only the customer may deploy"));

	// Invocations go to {endpoint}/o/{order}{path}.
	let before = server.requests().len();
	server.answer(200, "hello, world");
	let invoked = defaas(
		&url,
		&[
			"invoke",
			&order_id.to_string(),
			"--path",
			"/greet?name=x",
			"-X",
			"POST",
			"--data",
			"hi",
			"-H",
			"x-test: yes",
			"-v",
		],
	)
	.await
	.ok();
	assert_eq!(invoked.stdout, "hello, world");
	assert!(invoked.stderr.contains("< 200"), "{}", invoked.stderr);
	let call = &server.requests()[before];
	assert_eq!(
		(call.method.as_str(), call.path.as_str()),
		("POST", &*format!("/o/{order_id}/greet?name=x"))
	);
	assert_eq!(call.body, b"hi");
	assert_eq!(call.header("x-test"), Some("yes"));
	server.answer(404, "no such route");
	let missing =
		defaas(&url, &["invoke", &order_id.to_string(), "--path", "/nope"]).await.failed();
	assert_eq!(missing.stdout, "no such route");
	assert!(missing.stderr.contains("404"), "{}", missing.stderr);
	drop(node);
}
