//! `level list`, `asset list`, `balance`, `provider register|show`, `witness register|show`.

use super::{progress, Output};
use crate::{
	cli::{RegisterProviderArgs, RegisterWitnessArgs},
	table,
};
use anyhow::{bail, Context, Result};
use defaas_client::{
	accounts,
	amount::{format_fst, format_permill, parse_fst},
	chain::AssetInfo,
	views::{AccountId, PaymentAsset, ProviderView, WitnessView},
	Chain,
};
use defaas_primitives::json::to_hex;
use subxt::dynamic::Value;

/// `defaas level list`.
pub async fn level_list(chain: &Chain, out: Output) -> Result<()> {
	let levels = chain.levels().await?;
	if out.json {
		return out.json(&levels);
	}
	let rows: Vec<Vec<String>> = levels
		.iter()
		.map(|l| {
			vec![
				l.level_id.to_string(),
				l.level.cpu_millicores.to_string(),
				l.level.gpu_units.to_string(),
				l.level.memory_mb.to_string(),
				l.level.package_mb.to_string(),
				String::from_utf8_lossy(&l.level.tag).into_owned(),
			]
		})
		.collect();
	let header = ["id", "cpu (millicores)", "gpu", "memory MiB", "package MiB", "tag"];
	println!("{}", table::render(&header, &rows));
	Ok(())
}

/// One asset's line of `asset list` (JSON: amounts as decimal strings).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct AssetLine {
	asset: PaymentAsset,
	symbol: String,
	name: String,
	decimals: u32,
	/// The least prepay of an order in the asset; `None` for FST (no minimum besides its
	/// existential deposit).
	min_prepay: Option<String>,
}

/// FST and the payment assets, with their metadata.
async fn assets_with_info(chain: &Chain) -> Result<Vec<(AssetInfo, Option<u128>)>> {
	let mut assets = vec![(AssetInfo::fst(), None)];
	for (asset, minimum) in chain.payment_assets().await? {
		let info = chain.asset_info(&asset).await?.unwrap_or_else(|| AssetInfo::raw(&asset));
		assets.push((info, Some(minimum)));
	}
	Ok(assets)
}

/// `defaas asset list`.
pub async fn asset_list(chain: &Chain, out: Output) -> Result<()> {
	let assets = assets_with_info(chain).await?;
	if out.json {
		let lines: Vec<AssetLine> = assets
			.into_iter()
			.map(|(info, minimum)| AssetLine {
				min_prepay: minimum.map(|m| m.to_string()),
				asset: info.asset,
				symbol: info.symbol,
				name: info.name,
				decimals: info.decimals,
			})
			.collect();
		return out.json(&lines);
	}
	let rows: Vec<Vec<String>> = assets
		.iter()
		.map(|(info, minimum)| {
			vec![
				asset_name(&info.asset),
				info.symbol.clone(),
				info.name.clone(),
				info.decimals.to_string(),
				minimum.map_or_else(|| "-".into(), |m| info.format(m)),
			]
		})
		.collect();
	println!("{}", table::render(&["asset", "symbol", "name", "decimals", "min prepay"], &rows));
	Ok(())
}

/// `fst` or the asset id: what `--asset` takes.
fn asset_name(asset: &PaymentAsset) -> String {
	match asset {
		PaymentAsset::Native => "fst".into(),
		PaymentAsset::WithId(id) => id.to_string(),
	}
}

/// One asset's line of `balance` (JSON: amounts as decimal strings in the smallest unit).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct BalanceLine {
	asset: PaymentAsset,
	symbol: String,
	decimals: u32,
	free: String,
	held: String,
}

/// `defaas balance`.
pub async fn balance(chain: &Chain, out: Output, account: &str) -> Result<()> {
	let who = AccountId(accounts::parse_account(account)?);
	let mut lines = Vec::new();
	for (info, _) in assets_with_info(chain).await? {
		let balance = chain.balance_at(&info.asset, &who, None).await?;
		lines.push((info, balance));
	}
	if out.json {
		let lines: Vec<BalanceLine> = lines
			.into_iter()
			.map(|(info, balance)| BalanceLine {
				asset: info.asset,
				symbol: info.symbol,
				decimals: info.decimals,
				free: balance.free.to_string(),
				held: balance.held.to_string(),
			})
			.collect();
		return out.json(&lines);
	}
	let rows: Vec<Vec<String>> = lines
		.iter()
		.map(|(info, balance)| {
			vec![asset_name(&info.asset), info.format(balance.free), info.format(balance.held)]
		})
		.collect();
	println!("{}", table::render(&["asset", "free", "on hold"], &rows));
	Ok(())
}

/// `defaas provider register`.
pub async fn register_provider(
	chain: &Chain,
	out: Output,
	args: RegisterProviderArgs,
) -> Result<()> {
	let signer = accounts::keypair(&args.signer.suri)?;
	let stake = parse_fst(&args.stake).context("--stake")?;
	if args.endpoint.trim().is_empty() {
		bail!("--endpoint must not be empty");
	}
	let heartbeat_key = match &args.heartbeat_key {
		Some(key) => accounts::parse_account(key).context("--heartbeat-key")?,
		None => signer.public_key().0,
	};
	let levels = Value::unnamed_composite(args.levels.iter().map(|l| Value::u128(u128::from(*l))));
	chain
		.submit_finalized(
			&signer,
			"Market",
			"register_provider",
			vec![
				Value::u128(stake),
				Value::from_bytes(args.endpoint.as_bytes()),
				levels,
				Value::from_bytes(heartbeat_key),
			],
		)
		.await?;
	// Read back after finality: right after inclusion, a re-organisation may have taken the
	// registration's block out of the best chain again (it is included again later).
	let address = accounts::address(&signer);
	let view = chain
		.provider(&accounts::account_id(&signer))
		.await?
		.context("the provider is not visible yet")?;
	if !view.online {
		progress(
			"note: the provider is offline until its node's off-chain worker sends heartbeats \
			 signed by the heartbeat key (the `prov` key in the node's keystore)",
		);
	}
	if out.json {
		return out.json(&view);
	}
	println!("registered provider {address}");
	print_provider(&view);
	Ok(())
}

/// `defaas provider show`.
pub async fn show_provider(chain: &Chain, out: Output, account: &str) -> Result<()> {
	let address = AccountId(accounts::parse_account(account)?);
	let view = chain.provider(&address).await?;
	if out.json {
		return out.json(&view);
	}
	match view {
		Some(view) => print_provider(&view),
		None => bail!("{address} is not a registered provider"),
	}
	Ok(())
}

fn print_provider(view: &ProviderView) {
	let levels: Vec<String> = view.levels.iter().map(u32::to_string).collect();
	let capacity: Vec<String> =
		view.capacity.iter().map(|(level, free)| format!("level {level}: {free}")).collect();
	println!(
		"{}",
		table::render_pairs(&[
			("provider", view.provider.to_string()),
			("stake", format_fst(view.stake)),
			("endpoint", String::from_utf8_lossy(&view.endpoint).into_owned()),
			("levels", levels.join(",")),
			("heartbeat key", view.heartbeat_key.to_string()),
			(
				"online",
				match view.last_heartbeat {
					Some(block) => format!("{} (last heartbeat at block {block})", view.online),
					None => format!("{} (no heartbeat yet)", view.online),
				}
			),
			("capacity", if capacity.is_empty() { "-".into() } else { capacity.join(", ") }),
			("reputation", format_permill(view.reputation.deconstruct())),
			("open bids", view.open_bids.to_string()),
			("active leases", view.active_leases.to_string()),
		])
	);
}

/// `defaas witness register`.
pub async fn register_witness(chain: &Chain, out: Output, args: RegisterWitnessArgs) -> Result<()> {
	let signer = accounts::keypair(&args.signer.suri)?;
	let stake = parse_fst(&args.stake).context("--stake")?;
	let vrf_key = match &args.vrf_key {
		Some(key) => accounts::parse_account(key).context("--vrf-key")?,
		None => signer.public_key().0,
	};
	chain
		.submit_finalized(
			&signer,
			"WitnessPool",
			"register_witness",
			vec![Value::u128(stake), Value::from_bytes(vrf_key)],
		)
		.await?;
	let address = accounts::address(&signer);
	let view = chain
		.witness(&accounts::account_id(&signer))
		.await?
		.context("the witness is not visible yet")?;
	progress(&format!(
		"note: the witness's node must hold the VRF key to join committees: insert it with \
		 `author_insertKey` and key type `wtns` (public key {}), e.g. \
		 `defaas-node key insert --key-type wtns --scheme sr25519 --suri <secret>`",
		to_hex(&vrf_key)
	));
	if out.json {
		return out.json(&view);
	}
	println!("registered witness {address}");
	print_witness(&view);
	Ok(())
}

/// `defaas witness show`.
pub async fn show_witness(chain: &Chain, out: Output, account: &str) -> Result<()> {
	let address = AccountId(accounts::parse_account(account)?);
	let view = chain.witness(&address).await?;
	if out.json {
		return out.json(&view);
	}
	match view {
		Some(view) => print_witness(&view),
		None => bail!("{address} is not a registered witness"),
	}
	Ok(())
}

fn print_witness(view: &WitnessView) {
	println!(
		"{}",
		table::render_pairs(&[
			("witness", view.account.to_string()),
			("vrf key", view.vrf_key.to_string()),
			("stake", format_fst(view.stake)),
			("reputation", view.reputation.to_string()),
			("active", format!("{} (from block {})", view.active, view.active_from)),
			("suspended", view.suspended.to_string()),
			("seats", view.seats.to_string()),
		])
	);
}
