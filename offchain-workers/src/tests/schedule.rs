//! Probe blocks derived from the VRF output.

use super::bytes32;
use crate::schedule::probe_blocks;

#[test]
fn empty_range_or_no_probes_gives_no_blocks() {
	let output = bytes32(b"vrf", 0);
	assert!(probe_blocks(&output, 10, 10, 3).is_empty());
	assert!(probe_blocks(&output, 11, 10, 3).is_empty());
	assert!(probe_blocks(&output, 10, 20, 0).is_empty());
}

#[test]
fn blocks_are_distinct_sorted_and_in_range() {
	for i in 0..200 {
		let output = bytes32(b"vrf", i);
		let (from, to, count) = (100 + i as u32, 120 + i as u32, 1 + (i as u32 % 19));
		let blocks = probe_blocks(&output, from, to, count);
		assert_eq!(blocks.len(), count as usize);
		assert!(blocks.windows(2).all(|w| w[0] < w[1]), "{blocks:?}");
		assert!(blocks.iter().all(|b| (from..to).contains(b)), "{blocks:?}");
	}
}

#[test]
fn more_probes_than_blocks_take_every_block() {
	let output = bytes32(b"vrf", 1);
	assert_eq!(probe_blocks(&output, 5, 9, 4), vec![5, 6, 7, 8]);
	assert_eq!(probe_blocks(&output, 5, 9, 100), vec![5, 6, 7, 8]);
}

#[test]
fn schedule_is_a_function_of_the_vrf_output() {
	let a = probe_blocks(&bytes32(b"vrf", 2), 0, 1_000, 5);
	assert_eq!(a, probe_blocks(&bytes32(b"vrf", 2), 0, 1_000, 5));
	assert_ne!(a, probe_blocks(&bytes32(b"vrf", 3), 0, 1_000, 5));
	// Asking for fewer probes keeps a prefix of the draws.
	let fewer = probe_blocks(&bytes32(b"vrf", 2), 0, 1_000, 3);
	assert!(fewer.iter().all(|b| a.contains(b)));
}

#[test]
fn ranges_at_the_top_of_u32_do_not_overflow() {
	let blocks = probe_blocks(&bytes32(b"vrf", 4), u32::MAX - 10, u32::MAX, 6);
	assert_eq!(blocks.len(), 6);
	assert!(blocks.iter().all(|b| *b >= u32::MAX - 10 && *b < u32::MAX));
	let whole = probe_blocks(&bytes32(b"vrf", 4), 0, u32::MAX, 3);
	assert_eq!(whole.len(), 3);
}

#[test]
fn blocks_are_spread_uniformly() {
	// One probe in ten blocks for 5 000 outputs: each block about 500 times.
	let mut hits = [0u32; 10];
	for i in 0..5_000 {
		let blocks = probe_blocks(&bytes32(b"uniform", i), 40, 50, 1);
		hits[(blocks[0] - 40) as usize] += 1;
	}
	assert!(hits.iter().all(|h| (400..=600).contains(h)), "{hits:?}");
}
