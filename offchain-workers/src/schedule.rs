//! When a witness probes (docs/architecture.md §7.2): block numbers derived from its VRF output.
//!
//! The VRF output of a committee member is known only to the member until it joins, and the
//! probe blocks are a hash of it, so the provider cannot predict when it will be probed and
//! cannot serve well only at those moments. Each member's blocks differ, which spreads the
//! committee's probes over the round.

use alloc::{collections::BTreeSet, vec::Vec};
use codec::Encode;
use sp_io::hashing::blake2_256;

/// Domain separator of the probe-block hashes.
const SCHEDULE_DOMAIN: &[u8] = b"defaas/probe-blocks";

/// `min(count, to − from)` distinct block numbers in `[from, to)`, sorted ascending, derived from
/// a witness's VRF output; empty if `from ≥ to` or `count = 0`.
///
/// Probe `i` takes the block `from + (h mod (to − from))` where `h` is the first eight bytes
/// (little-endian) of `blake2_256(SCALE(b"defaas/probe-blocks", vrf_output, i as u32))`; if that
/// block is already taken, the next free block after it (wrapping around to `from`) is used.
/// The result is a pure function of its arguments, so the witness computes the same schedule in
/// every worker run of the round.
pub fn probe_blocks(vrf_output: &[u8; 32], from: u32, to: u32, count: u32) -> Vec<u32> {
	let Some(span) = to.checked_sub(from).filter(|span| *span > 0) else { return Vec::new() };
	if count >= span {
		return (from..to).collect();
	}
	let mut blocks = BTreeSet::new();
	for i in 0..count {
		let hash = blake2_256(&(SCHEDULE_DOMAIN, vrf_output, i).encode());
		let mut word = [0u8; 8];
		word.copy_from_slice(hash.get(..8).unwrap_or(&[0u8; 8]));
		// The remainder is below `span`, so it fits in u32 (the fallbacks never apply).
		let mut offset = u64::from_le_bytes(word)
			.checked_rem(u64::from(span))
			.and_then(|offset| u32::try_from(offset).ok())
			.unwrap_or_default();
		// `count < span`, so a free block always exists and this loop ends.
		while blocks.contains(&from.wrapping_add(offset)) {
			offset = offset.wrapping_add(1).checked_rem(span).unwrap_or_default();
		}
		blocks.insert(from.wrapping_add(offset));
	}
	blocks.into_iter().collect()
}
