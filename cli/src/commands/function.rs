//! `deploy` (wait for a provider, upload the package) and `invoke` (call the function).

use super::{progress, short, Output, TimedOut};
use crate::{
	chain::{self, Chain},
	cli::{DeployArgs, InvokeArgs},
	deploy::{self, package_hash},
	http,
	views::OrderView,
};
use anyhow::{bail, Context, Result};
use std::{
	io::Write,
	time::{Duration, Instant},
};

/// `defaas deploy`.
pub async fn deploy(chain: &Chain, out: Output, args: DeployArgs) -> Result<()> {
	let customer = chain::keypair(&args.signer.suri)?;
	let package = std::fs::read(&args.package)
		.with_context(|| format!("cannot read the package {}", args.package.display()))?;
	let hash = format!("0x{}", chain::hex_encode(&package_hash(&package)));
	let order = chain.order(args.order_id).await?;
	if order.package_hash != hash {
		bail!(
			"{} hashes to {hash}, but order {} expects the package {}",
			args.package.display(),
			args.order_id,
			order.package_hash
		);
	}
	let address = chain::address(&customer);
	if chain::parse_account(&order.customer)? != customer.public_key().0 {
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
		view.endpoint,
		short(&provider)
	));
	let deployed =
		deploy::upload(&view.endpoint, args.order_id, &package, &customer, progress).await?;
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
) -> Result<(OrderView, String)> {
	let deadline = Instant::now() + Duration::from_secs(wait);
	let mut shown = None;
	loop {
		if order.state.is_terminal() {
			bail!("order {} has ended: {}", order.order_id, order.state.describe());
		}
		if let Some(provider) = order.matched_provider() {
			let provider = provider.to_string();
			return Ok((order, provider));
		}
		let state = order.state.describe();
		if shown.as_ref() != Some(&state) {
			progress(&format!("order {} is {state}; waiting for a provider", order.order_id));
			shown = Some(state);
		}
		if Instant::now() >= deadline {
			return Err(TimedOut(format!(
				"order {} was not matched to a provider within {wait}s ({})",
				order.order_id,
				order.state.describe()
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
	let Some(provider) = order.matched_provider() else {
		bail!("order {} has no provider yet ({})", args.order_id, order.state.describe());
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
	let url = http::join(&view.endpoint, &format!("/o/{}{path}", args.order_id));
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
