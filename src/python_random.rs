//! # CPython's `random`, bit for bit
//!
//! [`PyRandom`] is the Mersenne Twister (MT19937) exactly as CPython's `_randommodule.c` runs it:
//! the same seeding, the same 32-bit outputs, the same way of turning them into floats and into
//! `getrandbits(k)`. Every draw a model makes goes through [`RandomSource`], whose shuffles, normal
//! draws and weighted choices already follow CPython's `random.py`; so with this raw stream
//! underneath, `microgpt run --rng python` reproduces Karpathy's microgpt.py draw for draw, from the
//! shuffled documents to the initial weights to the sampled names. That is how the book shows, rather
//! than asserts, that it teaches the same algorithm.
//!
//! The algorithm, in a few lines:
//!
//! - The state is 624 words of 32 bits. A seed becomes a key of 32-bit words, which
//!   `init_by_array` stirs into a state first filled by a fixed linear recurrence.
//! - Every 624 outputs, the *twist* updates each word from itself, its successor and the word 397
//!   places on: a linear recurrence over GF(2) whose period is 2¹⁹⁹³⁷ - 1.
//! - Each output is one state word passed through a fixed invertible *tempering* of shifts and
//!   masks, which spreads its bits so that short runs of outputs look equidistributed.
//! - A float in `[0, 1)` takes 27 bits from one output and 26 from the next: 53 bits, one per
//!   binary digit of an `f64` significand.

use crate::error::{Error, Result};
use crate::rng::{MT_WORDS, RandomSource, Resumable, RngState};

/// Words of state.
const N: usize = MT_WORDS;
/// The distance between the two words the twist mixes.
const M: usize = 397;
/// The last row of the twist matrix, applied when the shifted-out bit is 1.
const MATRIX_A: u32 = 0x9908_b0df;
/// The twist takes the top bit of one word and the low 31 bits of the next.
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

// ANCHOR: PyRandom
/// CPython's `random.Random`: the MT19937 state, and the spare normal `random.gauss` keeps.
#[derive(Clone, Debug)]
pub struct PyRandom {
    state: [u32; N],
    /// The next state word to temper and output; `N` means the state must be twisted first.
    index: usize,
    spare: Option<f64>,
}
// ANCHOR_END: PyRandom

impl PyRandom {
    // ANCHOR: seed
    /// The generator after `random.seed(seed)` in CPython.
    ///
    /// CPython keys the generator with the seed's absolute value cut into 32-bit words, least
    /// significant first, as few as hold it but at least one: so seed 0 is the key `[0]` and
    /// `2⁶⁴ - 1` is `[0xffff_ffff, 0xffff_ffff]`.
    pub fn seed(seed: u64) -> Self {
        let (low, high) = (seed as u32, (seed >> 32) as u32);
        if high == 0 { Self::from_key(&[low]) } else { Self::from_key(&[low, high]) }
    }
    // ANCHOR_END: seed

    /// Matsumoto and Nishimura's `init_genrand`: a state filled by a linear recurrence from `s`.
    fn from_u32(s: u32) -> Self {
        let mut state = [0u32; N];
        state[0] = s;
        for i in 1..N {
            let prev = state[i - 1];
            state[i] = 1_812_433_253u32.wrapping_mul(prev ^ (prev >> 30)).wrapping_add(i as u32);
        }
        PyRandom { state, index: N, spare: None }
    }

    /// Matsumoto and Nishimura's `init_by_array`, which CPython calls for every integer seed.
    ///
    /// Two non-linear passes over the state, the first folding in the key word by word (cycling it
    /// if shorter than the state), so that every bit of the key affects every word of the state.
    fn from_key(key: &[u32]) -> Self {
        let mut rng = Self::from_u32(19_650_218);
        let mt = &mut rng.state;
        let (mut i, mut j) = (1, 0);
        for _ in 0..N.max(key.len()) {
            let prev = mt[i - 1];
            mt[i] = (mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            let prev = mt[i - 1];
            mt[i] = (mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        // The top bit alone is enough to guarantee a non-zero state, which would be a fixed point.
        mt[0] = 0x8000_0000;
        rng
    }

    // ANCHOR: core
    /// Regenerates all 624 words of state at once.
    fn twist(&mut self) {
        let mt = &mut self.state;
        // One loop with indices mod N does what the reference code's three loops do: word k reads
        // word k + M, which for the last N - M words has wrapped round to a word already updated
        // in this pass, exactly as in the reference.
        for k in 0..N {
            let y = (mt[k] & UPPER_MASK) | (mt[(k + 1) % N] & LOWER_MASK);
            let mag = if y & 1 == 1 { MATRIX_A } else { 0 };
            mt[k] = mt[(k + M) % N] ^ (y >> 1) ^ mag;
        }
        self.index = 0;
    }

    /// The next 32-bit output: one state word, tempered (CPython's `genrand_uint32`).
    fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            self.twist();
        }
        let mut y = self.state[self.index];
        self.index += 1;
        // The state words are linearly related; tempering hides that from tests that look at the
        // leading bits of consecutive outputs.
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// CPython's `genrand_res53`: a float in `[0, 1)` from the top 27 bits of one output and the
    /// top 26 of the next, i.e. a uniform 53-bit integer scaled by 2⁻⁵³.
    fn res53(&mut self) -> f64 {
        let a = self.next_u32() >> 5;
        let b = self.next_u32() >> 6;
        (f64::from(a) * 67_108_864.0 + f64::from(b)) * (1.0 / 9_007_199_254_740_992.0)
    }
    // ANCHOR_END: core
}

impl PyRandom {
    /// The generator at `state`, which must be a [`RngState::Python`] that passes
    /// [`RngState::check`] (CPython's `random.setstate`).
    pub fn resume(state: &RngState) -> Result<Self> {
        state.check()?;
        match state {
            RngState::Python { state: words, index, spare } => {
                let mut state = [0; N];
                state.copy_from_slice(words);
                Ok(PyRandom { state, index: *index, spare: *spare })
            }
            _ => Err(Error::InvalidRngState(format!("a {} state, not a python one", state.kind()))),
        }
    }
}

impl Resumable for PyRandom {
    fn state(&self) -> RngState {
        RngState::Python { state: self.state.to_vec(), index: self.index, spare: self.spare }
    }
}

impl RandomSource for PyRandom {
    fn random(&mut self) -> f64 {
        self.res53()
    }

    /// CPython's `getrandbits(k)`.
    ///
    /// Up to 32 bits come from the top of a single output. More are assembled from whole outputs,
    /// least significant word first, and the last (most significant) word keeps only its top bits.
    fn bits(&mut self, k: u32) -> u64 {
        assert!((1..=64).contains(&k), "bits({k}): k must be in 1..=64");
        if k <= 32 {
            return u64::from(self.next_u32() >> (32 - k));
        }
        let low = u64::from(self.next_u32());
        let high = u64::from(self.next_u32() >> (64 - k));
        (high << 32) | low
    }

    fn gauss_spare(&mut self) -> &mut Option<f64> {
        &mut self.spare
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_mt19937ar_output() {
        // The first outputs listed in mt19937ar.out, Matsumoto and Nishimura's reference run
        // (key {0x123, 0x234, 0x345, 0x456}); CPython gives the same for
        // random.seed(0x456_00000345_00000234_00000123).
        let mut rng = PyRandom::from_key(&[0x123, 0x234, 0x345, 0x456]);
        let expected = [
            1_067_595_299,
            955_945_823,
            477_289_528,
            4_107_218_783,
            4_228_976_476,
            3_344_332_714,
            3_355_579_695,
            227_628_506,
            810_200_273,
            2_591_290_167,
        ];
        for (i, &want) in expected.iter().enumerate() {
            assert_eq!(rng.next_u32(), want, "output {i}");
        }
    }

    #[test]
    fn seed_uses_one_key_word_below_two_to_the_32() {
        let mut a = PyRandom::seed(0xffff_ffff);
        let mut b = PyRandom::from_key(&[0xffff_ffff]);
        assert_eq!(a.next_u32(), b.next_u32());
    }

    #[test]
    fn seed_uses_two_key_words_from_two_to_the_32() {
        let mut a = PyRandom::seed(1 << 32);
        let mut b = PyRandom::from_key(&[0, 1]);
        assert_eq!(a.next_u32(), b.next_u32());
    }
}
