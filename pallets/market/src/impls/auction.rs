//! The sealed-bid auction: commit, reveal, close and confirmation timeouts.

use crate::{
	pallet::{
		Bids, Config, Error, Event, HoldReason, OpenOrders, Orders, Pallet, Providers, RecentPrices,
	},
	types::*,
};
use alloc::vec::Vec;
use codec::Encode;
use frame_support::{pallet_prelude::*, BoundedVec};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// The commitment a provider submits for a bid:
	/// `blake2_256(SCALE((order_id, price, salt, provider)))`.
	pub fn bid_commitment(
		order_id: OrderId,
		price: BalanceOf<T>,
		salt: &[u8; 32],
		provider: &T::AccountId,
	) -> [u8; 32] {
		sp_io::hashing::blake2_256(&(order_id, price, salt, provider).encode())
	}

	/// `commit_bid`.
	pub(crate) fn do_commit_bid(
		who: T::AccountId,
		order_id: OrderId,
		commitment: [u8; 32],
	) -> DispatchResult {
		let now = Self::now();
		let order = Orders::<T>::get(order_id).ok_or(Error::<T>::OrderNotFound)?;
		let OrderState::Bidding { bidding_ends } = order.state else {
			return Err(Error::<T>::BiddingClosed.into());
		};
		ensure!(now < bidding_ends, Error::<T>::BiddingClosed);
		ensure!(who != order.customer, Error::<T>::OwnOrder);
		let mut provider = Providers::<T>::get(&who).ok_or(Error::<T>::NotProvider)?;
		ensure!(
			provider.is_online(now, Self::timings().heartbeat_grace),
			Error::<T>::ProviderOffline
		);
		ensure!(provider.offers(order.level), Error::<T>::LevelNotOffered);
		ensure!(provider.reputation() >= order.min_reputation, Error::<T>::ReputationTooLow);
		ensure!(provider.stake >= T::MinProviderStake::get(), Error::<T>::StakeTooLow);
		let mut bids = Bids::<T>::get(order_id);
		ensure!(!bids.iter().any(|bid| bid.provider == who), Error::<T>::AlreadyBid);
		let deposit = T::BidDeposit::get();
		bids.try_push(BidRecord {
			provider: who.clone(),
			commitment,
			deposit,
			committed_at: now,
			extrinsic_index: frame_system::Pallet::<T>::extrinsic_index().unwrap_or_default(),
			price: None,
		})
		.map_err(|_| Error::<T>::TooManyBids)?;
		ensure!(
			Self::can_hold(HoldReason::BidDeposit, &who, deposit),
			Error::<T>::InsufficientBalance
		);

		Self::hold(HoldReason::BidDeposit, &who, deposit)?;
		provider.open_bids = provider.open_bids.saturating_add(1);
		Providers::<T>::insert(&who, provider);
		Bids::<T>::insert(order_id, bids);
		Self::deposit_event(Event::BidCommitted { order_id, provider: who });
		Ok(())
	}

	/// `reveal_bid`: in the reveal window (also while the stored state still says Bidding
	/// but the bid window has ended).
	pub(crate) fn do_reveal_bid(
		who: T::AccountId,
		order_id: OrderId,
		price: BalanceOf<T>,
		salt: [u8; 32],
	) -> DispatchResult {
		let now = Self::now();
		let order = Orders::<T>::get(order_id).ok_or(Error::<T>::OrderNotFound)?;
		let revealing = match order.state {
			OrderState::Bidding { bidding_ends } => {
				now >= bidding_ends
					&& now < bidding_ends.saturating_add(Self::timings().reveal_window)
			},
			OrderState::Revealing { reveal_ends } => now < reveal_ends,
			_ => false,
		};
		ensure!(revealing, Error::<T>::NotRevealing);
		let mut bids = Bids::<T>::get(order_id);
		let bid = bids.iter_mut().find(|bid| bid.provider == who).ok_or(Error::<T>::BidNotFound)?;
		ensure!(bid.price.is_none(), Error::<T>::AlreadyRevealed);
		ensure!(
			Self::bid_commitment(order_id, price, &salt, &who) == bid.commitment,
			Error::<T>::CommitmentMismatch
		);
		ensure!(!price.is_zero(), Error::<T>::ZeroPrice);
		ensure!(price <= order.max_unit_price, Error::<T>::PriceAboveMax);
		ensure!(price >= Self::least_unit_price(&order.asset), Error::<T>::PriceBelowAssetMinimum);

		bid.price = Some(price);
		Bids::<T>::insert(order_id, bids);
		Self::deposit_event(Event::BidRevealed { order_id, provider: who, price });
		Ok(())
	}

	/// End of the bid window: move `order` (in memory) to Revealing. Returns whether the
	/// reveal window is still open; if not, the caller closes the auction right away.
	pub(crate) fn start_reveal(
		order_id: OrderId,
		order: &mut OrderRecordOf<T>,
		bidding_ends: BlockNumberFor<T>,
		now: BlockNumberFor<T>,
	) -> bool {
		let reveal_ends = bidding_ends.saturating_add(Self::timings().reveal_window);
		order.state = OrderState::Revealing { reveal_ends };
		Self::deposit_event(Event::RevealStarted { order_id, reveal_ends });
		reveal_ends > now
	}

	/// End of the reveal window: rank the revealed bids, forfeit unrevealed deposits, release
	/// the deposits of bids that are not kept as candidates, and ask the best bidder to
	/// confirm (or fail the order).
	pub(crate) fn close_auction(
		order_id: OrderId,
		mut order: OrderRecordOf<T>,
		now: BlockNumberFor<T>,
	) -> DispatchResult {
		let bids = Bids::<T>::take(order_id);
		OpenOrders::<T>::remove(order.level, order_id);

		let mut revealed: Vec<BidRecordOf<T>> = Vec::new();
		for bid in bids.into_iter() {
			if bid.price.is_some() {
				revealed.push(bid);
			} else {
				Self::forfeit_bid(order_id, &bid);
			}
		}
		// Lowest price first; ties to the earliest commit (block, then extrinsic index). The
		// sort is stable, so equal keys keep commit order.
		revealed.sort_by(|a, b| {
			(a.price, a.committed_at, a.extrinsic_index).cmp(&(
				b.price,
				b.committed_at,
				b.extrinsic_index,
			))
		});
		let revealed_count = u32::try_from(revealed.len()).unwrap_or(u32::MAX);
		let keep = usize::try_from(T::MaxFallbackCandidates::get())
			.unwrap_or(usize::MAX)
			.saturating_add(1);
		let mut ranked: Vec<BidRecordOf<T>> = Vec::new();
		for bid in revealed.into_iter() {
			if ranked.len() < keep {
				ranked.push(bid);
			} else {
				Self::release_bid(order_id, &bid);
			}
		}

		let Some((candidate, price)) =
			ranked.first().map(|bid| (bid.provider.clone(), bid.price.unwrap_or_default()))
		else {
			return Self::close_order(order_id, order, Some(CloseReason::NoValidBid), now);
		};
		let confirm_until = now.saturating_add(Self::timings().confirm_window);
		order.state = OrderState::Confirming { candidate: candidate.clone(), price, confirm_until };
		Bids::<T>::insert(order_id, BoundedVec::<_, T::MaxBidsPerOrder>::truncate_from(ranked));
		Orders::<T>::insert(order_id, order);
		Self::schedule_or_log(order_id, confirm_until);
		Self::deposit_event(Event::AuctionClosed {
			order_id,
			candidate,
			price,
			revealed: revealed_count,
			confirm_until,
		});
		Ok(())
	}

	/// The candidate did not confirm in time: forfeit its deposit and ask the next-best
	/// revealed bidder, or fail the order.
	pub(crate) fn candidate_timed_out(
		order_id: OrderId,
		mut order: OrderRecordOf<T>,
		previous: T::AccountId,
		now: BlockNumberFor<T>,
	) -> DispatchResult {
		let mut bids = Bids::<T>::get(order_id);
		if let Some(bid) = bids.iter().find(|bid| bid.provider == previous).cloned() {
			Self::forfeit_bid(order_id, &bid);
		}
		bids.retain(|bid| bid.provider != previous);

		let Some((candidate, price)) =
			bids.first().map(|bid| (bid.provider.clone(), bid.price.unwrap_or_default()))
		else {
			Bids::<T>::remove(order_id);
			return Self::close_order(
				order_id,
				order,
				Some(CloseReason::WinnersDidNotConfirm),
				now,
			);
		};
		let confirm_until = now.saturating_add(Self::timings().confirm_window);
		order.state = OrderState::Confirming { candidate: candidate.clone(), price, confirm_until };
		Bids::<T>::insert(order_id, bids);
		Orders::<T>::insert(order_id, order);
		Self::schedule_or_log(order_id, confirm_until);
		Self::deposit_event(Event::CandidateReplaced {
			order_id,
			previous,
			candidate,
			price,
			confirm_until,
		});
		Ok(())
	}

	/// Release a bid's deposit to its provider and close the bid.
	pub(crate) fn release_bid(order_id: OrderId, bid: &BidRecordOf<T>) {
		let amount = Self::release(HoldReason::BidDeposit, &bid.provider, bid.deposit);
		Self::bid_closed(&bid.provider);
		Self::deposit_event(Event::BidDepositReleased {
			order_id,
			provider: bid.provider.clone(),
			amount,
		});
	}

	/// Forfeit a bid's deposit to the slash sink (what the sink does not take is released)
	/// and close the bid.
	pub(crate) fn forfeit_bid(order_id: OrderId, bid: &BidRecordOf<T>) {
		let (slashed, released) =
			Self::slash_or_release(HoldReason::BidDeposit, &bid.provider, bid.deposit);
		Self::bid_closed(&bid.provider);
		Self::deposit_event(Event::BidDepositForfeited {
			order_id,
			provider: bid.provider.clone(),
			amount: slashed,
		});
		if !released.is_zero() {
			Self::deposit_event(Event::BidDepositReleased {
				order_id,
				provider: bid.provider.clone(),
				amount: released,
			});
		}
	}

	/// Remember a clearing price of `level` in `asset` (oldest dropped when full).
	pub(crate) fn record_clearing_price(
		level: LevelId,
		asset: &AssetKindOf<T>,
		price: BalanceOf<T>,
	) {
		RecentPrices::<T>::mutate(level, asset, |prices| {
			if prices.is_full() && !prices.is_empty() {
				prices.remove(0);
			}
			let _ = prices.try_push(price);
		});
	}
}
