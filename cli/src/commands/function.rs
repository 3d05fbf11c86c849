//! `deploy` (wait for a provider, upload the package) and `invoke` (call the function).

use super::{progress, short, Output, TimedOut};
use crate::{
	cli::{DeployArgs, InvokeArgs},
	deploy, http,
};
use anyhow::{bail, Context, Result};
use defaas_client::{
	accounts,
	views::{self, AccountId, OrderView},
	Chain,
};
use defaas_primitives::{deploy::package_hash, json::to_hex};
use std::{
	io::Write,
	time::{Duration, Instant},
};

/// `defaas deploy`.
pub async fn deploy(chain: &Chain, out: Output, args: DeployArgs) -> Result<()> {
	let customer = accounts::keypair(&args.signer.suri)?;
	let package = std::fs::read(&args.package)
		.with_context(|| format!("cannot read the package {}", args.package.display()))?;
	let hash = package_hash(&package);
	let order = chain.order(args.order_id).await?;
	if order.package_hash.0 != hash {
		bail!(
			"{} hashes to {}, but order {} expects the package {}",
			args.package.display(),
			to_hex(&hash),
			args.order_id,
			to_hex(order.package_hash.as_bytes())
		);
	}
	// The provider refuses a package over the level's limit (413); say so before uploading.
	let levels = chain.levels().await?;
	if let Some(level) = levels.iter().find(|entry| entry.level_id == order.level) {
		super::ensure_package_fits(order.level, level.level.package_mb, package.len())?;
	}
	let address = accounts::address(&customer);
	if order.customer.0 != customer.public_key().0 {
		bail!(
			"order {} belongs to {}; --suri is {address}: only the customer may deploy",
			args.order_id,
			order.customer
		);
	}
	let (order, provider) = wait_for_provider(chain, order, args.wait).await?;
	let view = chain.provider(&provider).await?.with_context(|| {
		format!("provider {provider} of order {} is not registered", order.order_id)
	})?;
	progress(&format!(
		"uploading {} bytes to {} (provider {})",
		package.len(),
		String::from_utf8_lossy(&view.endpoint),
		short(&provider.to_string())
	));
	let endpoint = String::from_utf8_lossy(&view.endpoint).into_owned();
	let deployed = deploy::upload(&endpoint, args.order_id, &package, &customer, progress).await?;
	if out.json {
		return out.json(&deployed);
	}
	println!("{}", deployed.url);
	Ok(())
}

/// Waits (printing a line per state) until `order` is matched to a provider; returns the
/// order and the provider's address.
async fn wait_for_provider(
	chain: &Chain,
	mut order: OrderView,
	wait: u64,
) -> Result<(OrderView, AccountId)> {
	let deadline = Instant::now() + Duration::from_secs(wait);
	let mut shown = None;
	loop {
		if views::is_terminal(&order.state) {
			bail!("order {} has ended: {}", order.order_id, views::describe_state(&order.state));
		}
		if let Some(provider) = views::matched_provider(&order) {
			let provider = *provider;
			return Ok((order, provider));
		}
		let state = views::describe_state(&order.state);
		if shown.as_ref() != Some(&state) {
			progress(&format!("order {} is {state}; waiting for a provider", order.order_id));
			shown = Some(state);
		}
		if Instant::now() >= deadline {
			return Err(TimedOut(format!(
				"order {} was not matched to a provider within {wait}s ({})",
				order.order_id,
				views::describe_state(&order.state)
			))
			.into());
		}
		tokio::time::sleep(Duration::from_secs(1)).await;
		order = chain.order(order.order_id).await?;
	}
}

/// `defaas invoke`.
pub async fn invoke(chain: &Chain, args: InvokeArgs) -> Result<()> {
	let order = chain.order(args.order_id).await?;
	let Some(provider) = views::matched_provider(&order) else {
		bail!(
			"order {} has no provider yet ({})",
			args.order_id,
			views::describe_state(&order.state)
		);
	};
	let view = chain
		.provider(provider)
		.await?
		.with_context(|| format!("provider {provider} is not registered"))?;
	let body = match (&args.data, &args.data_file) {
		(Some(data), _) => data.clone().into_bytes(),
		(None, Some(file)) => std::fs::read(file)
			.with_context(|| format!("cannot read the request body {}", file.display()))?,
		(None, None) => Vec::new(),
	};
	let mut headers = Vec::new();
	for header in &args.headers {
		let (name, value) = header
			.split_once(':')
			.with_context(|| format!("header `{header}` is not `name: value`"))?;
		headers.push((name.trim().to_string(), value.trim().to_string()));
	}
	let path =
		if args.path.starts_with('/') { args.path.clone() } else { format!("/{}", args.path) };
	let url = http::join(
		&String::from_utf8_lossy(&view.endpoint),
		&format!("/o/{}{path}", args.order_id),
	);
	let response =
		http::send(&args.method, &url, &headers, body).await.map_err(|e| anyhow::anyhow!("{e}"))?;
	if args.verbose {
		eprintln!("> {} {url} HTTP/1.1", args.method.to_ascii_uppercase());
		eprintln!("< {} {}", response.status, response.reason);
		for (name, value) in &response.headers {
			eprintln!("< {name}: {value}");
		}
	}
	let mut stdout = std::io::stdout().lock();
	stdout.write_all(&response.body)?;
	stdout.flush()?;
	if !(200..300).contains(&response.status) {
		bail!("the function answered {} {}", response.status, response.reason);
	}
	Ok(())
}
