//! Query functions behind the `MarketApi` runtime API (`pallet-market-runtime-api`).
//!
//! They run off-chain (in runtime-API calls), never in blocks; still, every loop is capped.

use crate::{
	pallet::{
		Bids, Config, Levels, NextLevelId, OpenOrders, Orders, Pallet, Providers, RecentPrices,
	},
	types::*,
};
use alloc::vec::Vec;
use defaas_primitives::traits::SlaMonitor;
use frame_support::traits::Get;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{CheckedDiv, Saturating, Zero};

/// Hard cap on the orders one `open_orders` call returns.
pub const MAX_OPEN_ORDERS_PER_QUERY: u32 = 1_000;

/// [`OrderView`] of a runtime.
pub type OrderViewOf<T> =
	OrderView<AccountIdOf<T>, AssetKindOf<T>, BalanceOf<T>, BlockNumberFor<T>>;
/// [`ProviderView`] of a runtime.
pub type ProviderViewOf<T> = ProviderView<AccountIdOf<T>, BalanceOf<T>, BlockNumberFor<T>>;

impl<T: Config> Pallet<T> {
	/// All FaaS levels in id order.
	pub fn api_levels() -> Vec<(LevelId, LevelInfo)> {
		(0..NextLevelId::<T>::get())
			.filter_map(|id| Levels::<T>::get(id).map(|level| (id, level.to_info())))
			.collect()
	}

	/// One order.
	pub fn api_order(order_id: OrderId) -> Option<OrderViewOf<T>> {
		Orders::<T>::get(order_id).map(|order| Self::order_view(order_id, order))
	}

	/// Up to `max` (at most [`MAX_OPEN_ORDERS_PER_QUERY`]) orders whose auction is running,
	/// of `level` or of every level, in ascending id order among those returned.
	pub fn api_open_orders(level: Option<LevelId>, max: u32) -> Vec<OrderViewOf<T>> {
		let max = usize::try_from(max.min(MAX_OPEN_ORDERS_PER_QUERY)).unwrap_or(0);
		let mut ids: Vec<OrderId> = match level {
			Some(level) => OpenOrders::<T>::iter_key_prefix(level).take(max).collect(),
			None => OpenOrders::<T>::iter_keys().map(|(_, id)| id).take(max).collect(),
		};
		ids.sort_unstable();
		ids.into_iter().filter_map(Self::api_order).collect()
	}

	/// One provider, with its current online status and reputation.
	pub fn api_provider(who: AccountIdOf<T>) -> Option<ProviderViewOf<T>> {
		let now = Self::now();
		Providers::<T>::get(&who).map(|p| ProviderView {
			online: p.is_online(now, Self::timings().heartbeat_grace),
			reputation: p.reputation(),
			provider: who,
			stake: p.stake,
			endpoint: p.endpoint.to_vec(),
			levels: p.levels.to_vec(),
			heartbeat_key: p.heartbeat_key,
			last_heartbeat: p.last_heartbeat,
			capacity: p.capacity.to_vec(),
			successes: p.successes,
			violations: p.violations,
			open_bids: p.open_bids,
			active_leases: p.active_leases,
		})
	}

	/// A price quote for `periods` billing periods of `level` in `asset` from its recent
	/// clearing prices in that asset; `None` for an unknown level or a level without clearing
	/// prices in `asset` yet.
	pub fn api_quote(
		level: LevelId,
		asset: AssetKindOf<T>,
		periods: u32,
	) -> Option<Quote<AssetKindOf<T>, BalanceOf<T>>> {
		if !Levels::<T>::contains_key(level) {
			return None;
		}
		let recent_prices = RecentPrices::<T>::get(level, &asset).to_vec();
		let median_unit_price = median::<BalanceOf<T>>(&recent_prices)?;
		let estimated_fee = median_unit_price.saturating_mul(BalanceOf::<T>::from(periods));
		let prepay = Self::prepay_for(periods, median_unit_price).unwrap_or_else(|| {
			estimated_fee.saturating_mul(BalanceOf::<T>::from(T::PrepayFactor::get()))
		});
		let max_committee = T::SlaMonitor::committee_capacity().min(T::MaxCommittee::get());
		Some(Quote {
			asset,
			recent_prices,
			median_unit_price,
			estimated_fee,
			prepay,
			max_committee,
		})
	}

	fn order_view(order_id: OrderId, order: OrderRecordOf<T>) -> OrderViewOf<T> {
		let bids = u32::try_from(Bids::<T>::decode_len(order_id).unwrap_or(0)).unwrap_or(u32::MAX);
		let lease = order.lease.as_ref();
		OrderView {
			order_id,
			customer: order.customer.clone(),
			payer: order.payer.clone(),
			asset: order.asset.clone(),
			level: order.level,
			periods: order.periods,
			period_length: order.period_length,
			max_unit_price: order.max_unit_price,
			committee_size: order.committee_size,
			package_hash: order.package_hash.into(),
			min_reputation: order.min_reputation,
			prepay: order.prepay,
			paid: order.paid,
			refunded: order.refunded,
			bids,
			provider: lease.map(|l| l.provider.clone()),
			unit_price: lease.map(|l| l.unit_price),
			lease_start: lease.and_then(|l| l.start),
			settled_periods: lease.map(|l| l.settled).unwrap_or(0),
			violated_periods: lease.map(|l| l.violations).unwrap_or(0),
			created_at: order.created_at,
			state: order.state,
		}
	}
}

/// Median of `values` (mean of the two middle values for an even count); `None` if empty.
pub fn median<B>(values: &[B]) -> Option<B>
where
	B: Copy + Ord + Saturating + Zero + CheckedDiv + From<u32>,
{
	let mut sorted = values.to_vec();
	sorted.sort_unstable();
	let mid = sorted.len() / 2;
	let upper = *sorted.get(mid)?;
	if sorted.len() % 2 == 1 {
		return Some(upper);
	}
	let lower = *sorted.get(mid.checked_sub(1)?)?;
	let half = upper.saturating_sub(lower).checked_div(&B::from(2u32))?;
	Some(lower.saturating_add(half))
}
