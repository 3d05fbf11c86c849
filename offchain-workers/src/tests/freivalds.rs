//! The capacity challenge's matrices and Freivalds' check.

use super::bytes32;
use crate::freivalds::{matrix, matrix_size, multiply, verify, MAX_MATRIX_SIZE, MIN_MATRIX_SIZE};

/// The textbook triple loop, for comparison.
fn naive_product(a: &[u64], b: &[u64], n: usize) -> Vec<u64> {
	let mut c = vec![0u64; n * n];
	for i in 0..n {
		for j in 0..n {
			for k in 0..n {
				c[i * n + j] = c[i * n + j].wrapping_add(a[i * n + k].wrapping_mul(b[k * n + j]));
			}
		}
	}
	c
}

/// `(A, B, A·B)` of the challenge with `seed` and size `n`.
fn challenge(seed: &[u8; 32], n: u32) -> (Vec<u64>, Vec<u64>, Vec<u64>) {
	let a = matrix(seed, b'A', n);
	let b = matrix(seed, b'B', n);
	let c = multiply(&a, &b, n);
	(a, b, c)
}

#[test]
fn matrix_size_follows_level_memory() {
	assert_eq!(matrix_size(0), MIN_MATRIX_SIZE);
	assert_eq!(matrix_size(256), 32);
	assert_eq!(matrix_size(512), 64);
	assert_eq!(matrix_size(1024), 128);
	assert_eq!(matrix_size(2048), 256);
	assert_eq!(matrix_size(4096), MAX_MATRIX_SIZE);
	assert_eq!(matrix_size(u32::MAX), MAX_MATRIX_SIZE);
}

#[test]
fn matrices_are_deterministic_and_depend_on_every_input() {
	let seed = bytes32(b"seed", 0);
	let a = matrix(&seed, b'A', 16);
	assert_eq!(a.len(), 256);
	assert_eq!(a, matrix(&seed, b'A', 16));
	assert_ne!(a, matrix(&seed, b'B', 16));
	assert_ne!(a, matrix(&bytes32(b"seed", 1), b'A', 16));
	// Rows are distinct streams, and a smaller matrix is not a corner of a larger one's rows.
	assert_ne!(a[..16], a[16..32]);
	assert_eq!(matrix(&seed, b'A', 0), Vec::<u64>::new());
}

#[test]
fn matrix_expansion_is_pinned() {
	// Providers and witnesses must expand seeds identically; this pins the expansion
	// (xoshiro256** seeded with blake2_256(SCALE(seed, which, row as u32))).
	let seed = [7u8; 32];
	let a = matrix(&seed, b'A', 2);
	assert_eq!(a, PINNED_A);
	let b = matrix(&seed, b'B', 2);
	assert_eq!(b, PINNED_B);
}

/// `matrix(&[7; 32], b'A', 2)`, computed independently (Python `hashlib.blake2b(digest_size=32)`
/// and a textbook xoshiro256**).
const PINNED_A: [u64; 4] =
	[17085801243439764380, 7327079192496459067, 11983880957601145773, 4057925756318567364];
/// `matrix(&[7; 32], b'B', 2)`, computed the same way.
const PINNED_B: [u64; 4] =
	[9100320868277308654, 5255052346787696562, 14488452357491011068, 4559821813327610496];

#[test]
fn multiply_matches_the_textbook_product() {
	for (i, n) in [1u32, 2, 3, 5, 8, 13, 32].into_iter().enumerate() {
		let (a, b, c) = challenge(&bytes32(b"mul", i as u64), n);
		assert_eq!(c, naive_product(&a, &b, n as usize), "n = {n}");
	}
}

#[test]
fn multiply_by_identity_is_identity() {
	let n = 9u32;
	let a = matrix(&bytes32(b"id", 0), b'A', n);
	let identity: Vec<u64> = (0..n * n).map(|i| u64::from(i / n == i % n)).collect();
	assert_eq!(multiply(&a, &identity, n), a);
	assert_eq!(multiply(&identity, &a, n), a);
}

#[test]
fn multiply_rejects_wrong_shapes() {
	let a = vec![1u64; 9];
	assert!(multiply(&a, &a[..8], 3).is_empty());
	assert!(multiply(&a[..4], &a, 3).is_empty());
	assert!(multiply(&[], &[], 0).is_empty());
}

#[test]
fn verify_accepts_correct_products() {
	for (i, n) in [1u32, 2, 3, 7, 8, 31, 32, 64].into_iter().enumerate() {
		let (a, b, c) = challenge(&bytes32(b"ok", i as u64), n);
		for trial in 0..50 {
			assert!(verify(&a, &b, &c, n, 10, &bytes32(b"r", trial)), "n = {n}, trial {trial}");
		}
	}
}

#[test]
fn verify_accepts_correct_products_larger_than_one_hash_of_bits() {
	// n > 256: larger than any challenge, still exact.
	let n = 257;
	let (a, b, c) = challenge(&bytes32(b"big", 0), n);
	assert!(verify(&a, &b, &c, n, 3, &bytes32(b"r", 0)));
	let mut wrong = c.clone();
	wrong[n as usize * n as usize - 1] ^= 1; // the last entry
	assert!(!verify(&a, &b, &wrong, n, 30, &bytes32(b"r", 1)));
}

#[test]
fn verify_rejects_wrong_lengths() {
	let n = 4;
	let (a, b, c) = challenge(&bytes32(b"len", 0), n);
	assert!(!verify(&a, &b, &c[..15], n, 10, &[0; 32]));
	let mut longer = c.clone();
	longer.push(0);
	assert!(!verify(&a, &b, &longer, n, 10, &[0; 32]));
	assert!(!verify(&a[..15], &b, &c, n, 10, &[0; 32]));
	assert!(!verify(&a, &b, &c, 5, 10, &[0; 32]));
	assert!(!verify(&a, &b, &[], n, 10, &[0; 32]));
	assert!(verify(&[], &[], &[], 0, 10, &[0; 32]));
}

#[test]
fn verify_catches_an_error_in_a_zero_divisor() {
	// An error of 2^63 vanishes under every even multiplier: each round still sees it with
	// probability 1/2 (an odd r[j]), so 40 rounds miss it with probability 2^-40.
	let n = 16;
	let (a, b, mut c) = challenge(&bytes32(b"zd", 0), n);
	c[37] = c[37].wrapping_add(1 << 63);
	assert!(!verify(&a, &b, &c, n, 40, &bytes32(b"r", 0)));
}

/// Runs `trials` challenges of size `n` with one corrupted entry each (varying position, error
/// and randomness) and returns how many `k`-round checks rejected them. `error(trial)` is the
/// value added to the corrupted entry.
fn rejections(trials: u64, n: u32, k: u32, error: impl Fn(u64, u64) -> u64) -> u64 {
	let (a, b, c) = challenge(&bytes32(b"corrupt", 0), n);
	let len = c.len() as u64;
	(0..trials)
		.filter(|trial| {
			let noise = bytes32(b"noise", *trial);
			let position = (u64::from_le_bytes(noise[..8].try_into().unwrap()) % len) as usize;
			let random = u64::from_le_bytes(noise[8..16].try_into().unwrap());
			let mut wrong = c.clone();
			wrong[position] = wrong[position].wrapping_add(error(*trial, random));
			!verify(&a, &b, &wrong, n, k, &bytes32(b"randomness", *trial))
		})
		.count() as u64
}

/// A non-zero error: mostly random, every tenth one with at least 40 factors of two.
fn mixed_error(trial: u64, random: u64) -> u64 {
	match random {
		0 => 1,
		e if trial.is_multiple_of(10) => e << 40 | 1 << 63,
		e => e,
	}
}

#[test]
fn single_corrupted_entry_is_rejected_in_at_least_99_9_percent_of_trials_with_k_10() {
	let (trials, k) = (10_000u64, 10);
	let rejected = rejections(trials, 16, k, mixed_error);
	println!(
		"k = {k}: rejected {rejected} of {trials} corrupted products ({:.3} %)",
		rejected as f64 * 100.0 / trials as f64
	);
	assert!(rejected * 1000 >= trials * 999, "rejected only {rejected} of {trials}");
}

#[test]
fn worst_case_error_is_caught_by_half_the_rounds() {
	// An error of exactly 2^63 hides iff r[j] is even: probability 1/2 per round — the bound.
	let trials = 10_000u64;
	let rejected = rejections(trials, 8, 1, |_, _| 1 << 63);
	let rate = rejected as f64 / trials as f64;
	println!("k = 1, error 2^63: rejected {rejected} of {trials} ({:.2} %)", rate * 100.0);
	assert!((0.47..=0.53).contains(&rate), "rate {rate}");
	// k = 10 rounds miss it with probability 2^-10: about 9.8 of 10,000 (σ ≈ 3.1).
	let missed = trials - rejections(trials, 8, 10, |_, _| 1 << 63);
	assert!(missed <= 30, "{missed} of {trials} worst-case errors passed 10 rounds");
}

#[test]
fn twenty_rounds_reject_at_least_99_9_percent() {
	let trials = 10_000u64;
	let rejected = rejections(trials, 8, 20, mixed_error);
	println!("k = 20: rejected {rejected} of {trials}");
	assert!(rejected * 1000 >= trials * 999, "rejected only {rejected} of {trials}");
}

#[test]
#[ignore = "a slower measurement: cargo test -p defaas-offchain-workers -- --ignored"]
fn measure_k10_rejection_rate_over_100_000_trials() {
	let trials = 100_000u64;
	let rejected = rejections(trials, 16, 10, mixed_error);
	let rate = rejected as f64 / trials as f64;
	println!("k = 10: rejected {rejected} of {trials} ({:.4} %)", rate * 100.0);
	assert!(rejected * 1000 >= trials * 999);
}
