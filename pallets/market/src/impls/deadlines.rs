//! Deadlines: the deadline index, `advance` and the bounded `on_idle` sweep.
//!
//! Every state with a deadline pushes its order id into the bucket of the deadline's block
//! ([`Deadlines`]; a full bucket spills into the next block). `on_idle` walks the buckets from
//! [`DeadlineCursor`] up to the current block within the weight it is given; an entry whose
//! order has already moved on (or was pruned) costs one read and is skipped. Nothing ever
//! iterates the orders themselves, and `advance` lets anyone apply a due transition at once.

use crate::{
	pallet::{Bids, Config, DeadlineCursor, Deadlines, Error, Event, Orders, Pallet},
	types::*,
	WeightInfo, LOG_TARGET,
};
use alloc::vec::Vec;
use frame_support::{pallet_prelude::*, storage::with_storage_layer};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{One, Saturating};

/// How many consecutive buckets are tried when the deadline's own bucket is full.
const MAX_SLOT_PROBES: u32 = 32;

impl<T: Config> Pallet<T> {
	/// `advance`: apply the transition whose deadline has passed.
	pub(crate) fn do_advance(order_id: OrderId) -> DispatchResult {
		let now = Self::now();
		let order = Orders::<T>::get(order_id).ok_or(Error::<T>::OrderNotFound)?;
		ensure!(order.state.deadline() <= now, Error::<T>::NothingDue);
		Self::advance_order(order_id, order, now)
	}

	/// Apply the deadline transition of `order` (whose deadline is due):
	///
	/// | state | transition |
	/// |---|---|
	/// | Bidding, no bids | Failed (NoValidBid) |
	/// | Bidding | Revealing (and the close right away if the reveal window is over too) |
	/// | Revealing | auction close → Confirming or Failed (NoValidBid) |
	/// | Confirming | next candidate, or Failed (WinnersDidNotConfirm) |
	/// | Deploying | Cancelled (ProviderDidNotDeploy), deposit forfeited |
	/// | HandoffDisputed | Cancelled (CustomerDidNotDeliver): deposit released, one unit price paid |
	/// | HandoffChecking | Failed (MonitorTimedOut), everything released |
	/// | Fulfilling | Failed (MonitorTimedOut) |
	/// | Finished / Failed / Cancelled | pruned |
	pub(crate) fn advance_order(
		order_id: OrderId,
		mut order: OrderRecordOf<T>,
		now: BlockNumberFor<T>,
	) -> DispatchResult {
		match order.state.clone() {
			OrderState::Bidding { bidding_ends } => {
				if Bids::<T>::decode_len(order_id).unwrap_or(0) == 0 {
					return Self::close_order(order_id, order, Some(CloseReason::NoValidBid), now);
				}
				if Self::start_reveal(order_id, &mut order, bidding_ends, now) {
					let reveal_ends = order.state.deadline();
					Orders::<T>::insert(order_id, order);
					Self::schedule_or_log(order_id, reveal_ends);
					Ok(())
				} else {
					Self::close_auction(order_id, order, now)
				}
			},
			OrderState::Revealing { .. } => Self::close_auction(order_id, order, now),
			OrderState::Confirming { candidate, .. } => {
				Self::candidate_timed_out(order_id, order, candidate, now)
			},
			OrderState::Deploying { .. } => Self::deploy_timed_out(order_id, order, now),
			OrderState::Fulfilling { .. } | OrderState::HandoffChecking { .. } => {
				Self::verdict_timed_out(order_id, order, now)
			},
			OrderState::HandoffDisputed { .. } => {
				Self::customer_did_not_deliver(order_id, order, now)
			},
			OrderState::Finished { .. }
			| OrderState::Failed { .. }
			| OrderState::Cancelled { .. } => {
				Self::prune_order(order_id);
				Ok(())
			},
		}
	}

	/// Remove an ended order after its retention period.
	fn prune_order(order_id: OrderId) {
		Orders::<T>::remove(order_id);
		Bids::<T>::remove(order_id);
		Self::deposit_event(Event::OrderPruned { order_id });
	}

	/// The first block at or after `at` (and not before the sweep cursor) whose bucket has
	/// room, looking at most [`MAX_SLOT_PROBES`] buckets ahead.
	pub(crate) fn find_deadline_slot(at: BlockNumberFor<T>) -> Option<BlockNumberFor<T>> {
		let capacity = usize::try_from(T::MaxDeadlinesPerBlock::get()).unwrap_or(usize::MAX);
		let mut block = match DeadlineCursor::<T>::get() {
			Some(cursor) if at < cursor => cursor,
			_ => at,
		};
		for _ in 0..MAX_SLOT_PROBES {
			if Deadlines::<T>::decode_len(block).unwrap_or(0) < capacity {
				return Some(block);
			}
			block = block.saturating_add(One::one());
		}
		None
	}

	/// Put `order_id` into the bucket of `slot` (found by [`Self::find_deadline_slot`]).
	pub(crate) fn push_deadline(slot: BlockNumberFor<T>, order_id: OrderId) {
		if DeadlineCursor::<T>::get().is_none() {
			DeadlineCursor::<T>::put(Self::now().min(slot));
		}
		let pushed = Deadlines::<T>::mutate(slot, |bucket| bucket.try_push(order_id).is_ok());
		if !pushed {
			log::error!(target: LOG_TARGET, "order {}: deadline bucket {:?} full", order_id, slot);
		}
	}

	/// Index the deadline `at` of `order_id`. If no bucket has room the order is only
	/// advanced by an explicit `advance` (logged; never expected with sane constants).
	pub(crate) fn schedule_or_log(order_id: OrderId, at: BlockNumberFor<T>) {
		match Self::find_deadline_slot(at) {
			Some(slot) => Self::push_deadline(slot, order_id),
			None => log::warn!(
				target: LOG_TARGET,
				"order {}: no deadline bucket near {:?}; only `advance` will move it",
				order_id,
				at
			),
		}
	}

	/// `on_idle`: process due buckets from the cursor up to `now` within `limit`. Each due
	/// entry is charged what its transition costs with the order's bids (`advance(b)`), so
	/// a block closes many one-bid auctions where it would close few full ones.
	pub(crate) fn sweep_deadlines(now: BlockNumberFor<T>, limit: Weight) -> Weight {
		let db = T::DbWeight::get();
		let mut used = db.reads(1);
		if used.any_gt(limit) {
			return Weight::zero();
		}
		let Some(start) = DeadlineCursor::<T>::get() else { return used };
		let bucket_weight = db.reads_writes(1, 1);
		let cursor_write = db.writes(1);
		// Reading an entry's bid count (and skipping a stale entry) costs a read.
		let entry_read = db.reads(1);

		let mut cursor = start;
		while cursor <= now {
			if used.saturating_add(bucket_weight).saturating_add(cursor_write).any_gt(limit) {
				break;
			}
			used = used.saturating_add(bucket_weight);
			let mut rest: Vec<OrderId> = Vec::new();
			for order_id in Deadlines::<T>::take(cursor).into_iter() {
				let needed =
					entry_read.saturating_add(T::WeightInfo::advance(Self::bid_count(order_id)));
				if !rest.is_empty()
					|| used.saturating_add(needed).saturating_add(cursor_write).any_gt(limit)
				{
					rest.push(order_id);
					continue;
				}
				used = used
					.saturating_add(entry_read)
					.saturating_add(Self::process_deadline(order_id, now));
			}
			if !rest.is_empty() {
				// Out of weight: keep the unprocessed entries for the next block.
				Deadlines::<T>::mutate(cursor, |bucket| {
					for order_id in rest {
						if bucket.try_push(order_id).is_err() {
							log::error!(target: LOG_TARGET, "order {}: lost deadline entry", order_id);
						}
					}
				});
				break;
			}
			cursor = cursor.saturating_add(One::one());
		}
		if cursor != start {
			DeadlineCursor::<T>::put(cursor);
			used = used.saturating_add(cursor_write);
		}
		used
	}

	/// Advance `order_id` if its deadline is due (stale entries cost one read); the weight of
	/// what ran.
	fn process_deadline(order_id: OrderId, now: BlockNumberFor<T>) -> Weight {
		let stale = T::DbWeight::get().reads(1);
		let Some(order) = Orders::<T>::get(order_id) else { return stale };
		if order.state.deadline() > now {
			return stale;
		}
		let bids = Self::bid_count(order_id);
		if let Err(e) = with_storage_layer(|| Self::advance_order(order_id, order, now)) {
			log::warn!(target: LOG_TARGET, "order {}: advance failed: {:?}", order_id, e);
		}
		T::WeightInfo::advance(bids)
	}
}
