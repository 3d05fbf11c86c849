//! The capacity challenge (docs/architecture.md §7.2): multiply two seeded matrices, checked with Freivalds'
//! algorithm.
//!
//! A witness sends the provider a fresh random `seed` and a size `n`. Both sides expand the seed
//! into two `n × n` matrices `A` and `B` over the ring `Z/2^64` (wrapping `u64` arithmetic) with
//! [`matrix`]; the provider must answer `C = A·B` ([`multiply`], `O(n³)`) within a deadline, and
//! the witness checks the answer with [`verify`] in `O(k·n²)` without ever computing the product.
//!
//! # Matrix expansion
//!
//! One BLAKE2b-256 per **row**, not per entry: row `i` of matrix `which` (`b'A'` or `b'B'`) is
//! produced by a xoshiro256** generator whose 256-bit state is the four little-endian `u64`
//! words of `blake2_256(SCALE(seed, which, i as u32))`; the row's entries are the generator's
//! first `n` outputs in order. A 256 × 256 pair thus costs 512 hashes instead of 131 072 — it
//! matters in the runtime's wasm, where every hash is a host call. The generator needs no
//! cryptographic strength: the seed is unpredictable, so the provider cannot have the product
//! ready before the request, and it still has to multiply the matrices to answer.
//! Providers and witnesses must expand identically, which is why [`matrix`] is exported.
//!
//! # Random vectors over `Z/2^64`
//!
//! Let `D = A·B − C`. If `C` is wrong, some entry `D[i][j] ≠ 0`; write it `2^t·u` with `u` odd
//! and `t < 64`. For a random `r`, `(D·r)[i] = D[i][j]·r[j] + s`, where `s` depends only on the
//! other coordinates of `r`. Fix them: the equation `D[i][j]·x = −s` has either no solution or
//! exactly `2^t` solutions `x` in `Z/2^64`, so with `r[j]` uniform over the whole ring the error
//! hides with probability at most `2^t / 2^64 ≤ 1/2`. That is the same worst case as the
//! textbook `{0,1}` vectors (reached only by an error of exactly `2^63`, which vanishes under
//! every even multiplier), and far better for every other error: an odd error survives a round
//! with probability `2^-64`. With `k` independent vectors a wrong product passes with
//! probability at most `2^-k`.

use alloc::{vec, vec::Vec};
use codec::Encode;
use sp_io::hashing::blake2_256;

/// Smallest matrix size a challenge uses.
pub const MIN_MATRIX_SIZE: u32 = 32;

/// Largest matrix size a challenge uses (a product is then `256·256·8` bytes = 512 KiB).
pub const MAX_MATRIX_SIZE: u32 = 256;

/// Megabytes of a level's memory per row of the challenge matrices (see [`matrix_size`]).
pub const MEMORY_MB_PER_ROW: u32 = 8;

/// Domain separator of the random vectors of [`verify`].
const VECTOR_DOMAIN: &[u8] = b"defaas/freivalds/r";

/// The matrix size `n` for a level with `memory_mb` megabytes of memory:
/// `clamp(memory_mb / 8, 32, 256)`.
///
/// The seed paper's levels map to: 512 MB → 64, 1024 MB → 128, 2048 MB and more → 256.
pub fn matrix_size(memory_mb: u32) -> u32 {
	(memory_mb / MEMORY_MB_PER_ROW).clamp(MIN_MATRIX_SIZE, MAX_MATRIX_SIZE)
}

/// The number of entries of an `n × n` matrix, if it fits in `usize`.
pub fn entries(n: u32) -> Option<usize> {
	let n = usize::try_from(n).ok()?;
	n.checked_mul(n)
}

/// The `n × n` matrix `which` (`b'A'` or `b'B'`) of a challenge with `seed`, row-major.
///
/// Row `i` is the first `n` outputs of xoshiro256** seeded with
/// `blake2_256(SCALE(seed, which, i as u32))` (see the [module docs](self)). Returns an empty
/// vector if `n·n` does not fit in `usize`; callers bound `n` (challenges use at most
/// [`MAX_MATRIX_SIZE`]).
pub fn matrix(seed: &[u8; 32], which: u8, n: u32) -> Vec<u64> {
	let Some(len) = entries(n) else { return Vec::new() };
	let mut out = Vec::with_capacity(len);
	for row in 0..n {
		let mut rng = Xoshiro256::from_hash(&blake2_256(&(seed, which, row).encode()));
		out.extend((0..n).map(|_| rng.next_u64()));
	}
	out
}

/// The product `A·B` of two row-major `n × n` matrices over `Z/2^64`: what an honest provider
/// computes, in `O(n³)`.
///
/// Returns an empty vector if `a` or `b` does not have `n·n` entries (never a valid product for
/// `n ≥ 1`).
pub fn multiply(a: &[u64], b: &[u64], n: u32) -> Vec<u64> {
	let (Some(len), Ok(width)) = (entries(n), usize::try_from(n)) else { return Vec::new() };
	if n == 0 || a.len() != len || b.len() != len {
		return Vec::new();
	}
	let mut c = vec![0u64; len];
	// i-k-j order: the inner loop walks a row of `B` and a row of `C` contiguously.
	for (a_row, c_row) in a.chunks_exact(width).zip(c.chunks_exact_mut(width)) {
		for (a_ik, b_row) in a_row.iter().zip(b.chunks_exact(width)) {
			for (c_ij, b_kj) in c_row.iter_mut().zip(b_row) {
				*c_ij = c_ij.wrapping_add(a_ik.wrapping_mul(*b_kj));
			}
		}
	}
	c
}

/// Freivalds' check that `c = a·b` for row-major `n × n` matrices over `Z/2^64`, with `k` rounds.
///
/// Round `t` draws `r ∈ (Z/2^64)ⁿ` from a xoshiro256** generator seeded with
/// `blake2_256(SCALE(b"defaas/freivalds/r", randomness, t as u32))` and compares `A·(B·r)` with `C·r`: `O(k·n²)` in total. A correct product is always
/// accepted; a wrong one is accepted with probability at most `2^-k` over the `randomness`,
/// which must therefore be unknown to the provider until it has answered (the witness draws it
/// from `sp_io::offchain::random_seed()` after the response arrived).
///
/// Returns `false` if any of the three matrices does not have `n·n` entries. With `k = 0` only
/// the shapes are checked.
pub fn verify(a: &[u64], b: &[u64], c: &[u64], n: u32, k: u32, randomness: &[u8; 32]) -> bool {
	let (Some(len), Ok(width)) = (entries(n), usize::try_from(n)) else { return false };
	if a.len() != len || b.len() != len || c.len() != len {
		return false;
	}
	if n == 0 {
		return true;
	}
	let mut r = vec![0u64; width];
	for round in 0..k {
		random_vector(randomness, round, &mut r);
		let b_r = mat_vec(b, &r, width);
		if mat_vec(a, &b_r, width) != mat_vec(c, &r, width) {
			return false;
		}
	}
	true
}

/// Fills `r` with the random vector of round `round` (see [`verify`]).
fn random_vector(randomness: &[u8; 32], round: u32, r: &mut [u64]) {
	let mut rng = Xoshiro256::from_hash(&blake2_256(&(VECTOR_DOMAIN, randomness, round).encode()));
	for x in r.iter_mut() {
		*x = rng.next_u64();
	}
}

/// The product of a row-major matrix with rows of `width` entries and a vector of `width`
/// entries, over `Z/2^64`.
fn mat_vec(m: &[u64], v: &[u64], width: usize) -> Vec<u64> {
	m.chunks_exact(width)
		.map(|row| row.iter().zip(v).fold(0u64, |acc, (x, y)| acc.wrapping_add(x.wrapping_mul(*y))))
		.collect()
}

/// The xoshiro256** generator (Blackman and Vigna), used to expand one hash into a matrix row.
struct Xoshiro256 {
	s0: u64,
	s1: u64,
	s2: u64,
	s3: u64,
}

impl Xoshiro256 {
	/// A generator whose state is the four little-endian words of `hash`.
	fn from_hash(hash: &[u8; 32]) -> Self {
		let mut words = hash.chunks_exact(8).map(|w| {
			let mut bytes = [0u8; 8];
			bytes.copy_from_slice(w);
			u64::from_le_bytes(bytes)
		});
		let mut next = || words.next().unwrap_or_default();
		Self { s0: next(), s1: next(), s2: next(), s3: next() }
	}

	/// The next output.
	fn next_u64(&mut self) -> u64 {
		let result = self.s1.wrapping_mul(5).rotate_left(7).wrapping_mul(9);
		let t = self.s1 << 17;
		self.s2 ^= self.s0;
		self.s3 ^= self.s1;
		self.s1 ^= self.s2;
		self.s0 ^= self.s3;
		self.s2 ^= t;
		self.s3 = self.s3.rotate_left(45);
		result
	}
}
