//! # Randomness, seeded and explicit
//!
//! A GPT uses randomness in three places: to shuffle the training documents, to initialise the
//! weights, and to pick each next character when it samples. microgpt.py calls Python's global
//! `random` module for all three; here the random source is a value the caller owns and passes in as
//! `&mut`, so every function that draws a random number says so in its signature, and a run is
//! reproducible from its seed alone.
//!
//! [`RandomSource`] needs only two primitives from a generator: a uniform float in `[0, 1)` and a
//! handful of uniform random bits. Everything the model needs on top of those (normal draws, shuffles,
//! weighted choices) is written out here, following the algorithms of CPython's `random` module line
//! by line. Two consequences: seeded results cannot change when the `rand` crate revises its
//! distributions, and a generator that reproduces CPython's raw stream reproduces microgpt.py's
//! every draw.

use crate::error::{Error, Result};
use crate::math;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

// ANCHOR: RandomSource
/// A seeded stream of random numbers, and the draws a GPT makes from it.
pub trait RandomSource {
    /// A uniform float in `[0, 1)`, a multiple of 2⁻⁵³.
    fn random(&mut self) -> f64;

    /// `k` uniform random bits (`1 <= k <= 64`) as the low bits of a `u64`.
    fn bits(&mut self, k: u32) -> u64;

    /// The spare normal that the Box-Muller transform makes with every pair.
    fn gauss_spare(&mut self) -> &mut Option<f64>;

    /// A normal draw with mean `mu` and standard deviation `sigma` (CPython's `random.gauss`).
    ///
    /// Box-Muller: for uniform u₁, u₂, the pair `(cos 2πu₁, sin 2πu₁) · √(-2 ln(1 - u₂))` is two
    /// independent standard normals. The second one is kept for the next call.
    fn gauss(&mut self, mu: f64, sigma: f64) -> f64 {
        let z = match self.gauss_spare().take() {
            Some(z) => z,
            None => {
                let x2pi = self.random() * std::f64::consts::TAU;
                let g2rad = (-2.0 * math::ln(1.0 - self.random())).sqrt();
                *self.gauss_spare() = Some(math::sin(x2pi) * g2rad);
                math::cos(x2pi) * g2rad
            }
        };
        mu + z * sigma
    }

    /// A uniform integer in `0..n` (CPython's `_randbelow`): draw as many bits as `n` needs and
    /// reject draws that land at or above `n`, so every value is exactly equally likely.
    fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "below(0): there is no integer in 0..0");
        let k = usize::BITS - n.leading_zeros();
        loop {
            let r = self.bits(k) as usize;
            if r < n {
                return r;
            }
        }
    }

    /// Shuffles `xs` in place (CPython's `random.shuffle`: Fisher-Yates from the back).
    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.below(i + 1);
            xs.swap(i, j);
        }
    }

    // ANCHOR: choice
    /// An index drawn with probability proportional to `weights[i]` (CPython's
    /// `random.choices(range(n), weights)[0]`): a uniform point on the running total, located with
    /// a right-bisection.
    ///
    /// Panics if the weights are empty or do not sum to a finite positive number: the model's
    /// softmax never produces such weights, so they would be a bug.
    fn choice(&mut self, weights: &[f64]) -> usize {
        let mut cumulative = Vec::with_capacity(weights.len());
        let mut total = 0.0;
        for (i, &w) in weights.iter().enumerate() {
            total = if i == 0 { w } else { total + w };
            cumulative.push(total);
        }
        assert!(
            total > 0.0 && total.is_finite(),
            "choice needs weights with a finite positive sum, got {total} from {} weights",
            weights.len()
        );
        let x = self.random() * total;
        // bisect_right over cumulative[..n-1]: the first index whose running total exceeds x.
        let hi = weights.len() - 1;
        cumulative[..hi].partition_point(|&c| c <= x)
    }
    // ANCHOR_END: choice
}
// ANCHOR_END: RandomSource

// ANCHOR: ChaCha
/// The crate's default generator: ChaCha with 8 rounds, seeded from a `u64`.
///
/// ChaCha8 is fast, has no known statistical weakness at this scale, and its stream is fixed by its
/// specification, so a seed names the same run on every platform and every version of `rand_chacha`.
#[derive(Clone, Debug)]
pub struct ChaCha {
    rng: ChaCha8Rng,
    seed: u64,
    spare: Option<f64>,
}

impl ChaCha {
    /// A generator seeded with `seed`.
    pub fn seed(seed: u64) -> Self {
        ChaCha { rng: ChaCha8Rng::seed_from_u64(seed), seed, spare: None }
    }
}

impl RandomSource for ChaCha {
    fn random(&mut self) -> f64 {
        // The top 53 bits of a u64, scaled by 2⁻⁵³: every representable multiple of 2⁻⁵³ in [0, 1).
        (self.rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    fn bits(&mut self, k: u32) -> u64 {
        assert!((1..=64).contains(&k), "bits({k}): k must be in 1..=64");
        self.rng.next_u64() >> (64 - k)
    }

    fn gauss_spare(&mut self) -> &mut Option<f64> {
        &mut self.spare
    }
}
// ANCHOR_END: ChaCha

/// Which generator a random stream comes from, as a checkpoint records it and `--rng` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RngKind {
    /// [`ChaCha`], the default.
    ChaCha,
    /// [`PyRandom`](crate::python_random::PyRandom), CPython's Mersenne Twister.
    Python,
}

// ANCHOR: RngState
/// Where a random stream stands: everything its generator needs to continue it exactly. A checkpoint
/// records the state in which `run` began to sample, so that `sample` continues from there at once,
/// however many draws came before.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum RngState {
    /// [`ChaCha`]: its seed, and how many 32-bit words of its stream have been used.
    ChaCha {
        /// The seed the generator was made from.
        seed: u64,
        /// How many 32-bit words of its stream have been used.
        word_pos: u128,
        /// The second normal deviate of the last pair drawn, if not used yet.
        spare: Option<f64>,
    },
    /// [`PyRandom`](crate::python_random::PyRandom): the Mersenne Twister's 624 words and the index
    /// of the next one to use, as CPython's `random.getstate()` has them.
    Python {
        /// The 624 words of the generator's state.
        #[serde(serialize_with = "on_one_line")]
        state: Vec<u32>,
        /// The index of the next word to use.
        index: usize,
        /// The second normal deviate of the last pair drawn, if not used yet (`gauss_next`).
        spare: Option<f64>,
    },
}
// ANCHOR_END: RngState

/// A generator whose place in its stream can be recorded, and restored with [`ChaCha::resume`] or
/// [`PyRandom::resume`](crate::python_random::PyRandom::resume).
pub trait Resumable: RandomSource {
    /// Where the stream stands now.
    fn state(&self) -> RngState;
}

impl RngState {
    /// The generator this state belongs to.
    pub fn kind(&self) -> RngKind {
        match self {
            RngState::ChaCha { .. } => RngKind::ChaCha,
            RngState::Python { .. } => RngKind::Python,
        }
    }

    /// Checks what a generator relies on: a finite spare normal and, for the Mersenne Twister,
    /// 624 words with an index of at most 624.
    pub fn check(&self) -> Result<()> {
        let (RngState::ChaCha { spare, .. } | RngState::Python { spare, .. }) = self;
        if let Some(z) = spare.filter(|z| !z.is_finite()) {
            return Err(Error::InvalidRngState(format!("the spare normal {z} is not finite")));
        }
        if let RngState::Python { state, index, .. } = self {
            if state.len() != MT_WORDS {
                let message =
                    format!("the Mersenne Twister has {MT_WORDS} words of state, found {}", state.len());
                return Err(Error::InvalidRngState(message));
            }
            if *index > MT_WORDS {
                return Err(Error::InvalidRngState(format!(
                    "index {index} is past the {MT_WORDS} words of state"
                )));
            }
        }
        Ok(())
    }
}

/// The words of state of the Mersenne Twister.
pub(crate) const MT_WORDS: usize = 624;

/// Writes a long list of numbers on one line of a pretty-printed file.
fn on_one_line<S: serde::Serializer>(words: &[u32], s: S) -> std::result::Result<S::Ok, S::Error> {
    let line = serde_json::value::to_raw_value(words).map_err(serde::ser::Error::custom)?;
    line.serialize(s)
}

impl ChaCha {
    /// The generator at `state`, which must be a [`RngState::ChaCha`] that passes [`RngState::check`].
    pub fn resume(state: &RngState) -> Result<Self> {
        state.check()?;
        match *state {
            RngState::ChaCha { seed, word_pos, spare } => {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                rng.set_word_pos(word_pos);
                Ok(ChaCha { rng, seed, spare })
            }
            _ => Err(Error::InvalidRngState(format!("a {} state, not a chacha one", state.kind()))),
        }
    }
}

impl Resumable for ChaCha {
    fn state(&self) -> RngState {
        RngState::ChaCha { seed: self.seed, word_pos: self.rng.get_word_pos(), spare: self.spare }
    }
}

impl std::fmt::Display for RngKind {
    /// The name used in a checkpoint and on the command line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RngKind::ChaCha => "chacha",
            RngKind::Python => "python",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_gives_the_same_stream() {
        let (mut a, mut b) = (ChaCha::seed(7), ChaCha::seed(7));
        let xs: Vec<f64> = (0..100).map(|_| a.random()).collect();
        let ys: Vec<f64> = (0..100).map(|_| b.random()).collect();
        assert_eq!(xs, ys);
    }

    #[test]
    fn different_seeds_give_different_streams() {
        let (mut a, mut b) = (ChaCha::seed(1), ChaCha::seed(2));
        assert_ne!(a.random(), b.random());
    }

    #[test]
    fn random_lies_in_the_unit_interval_with_mean_one_half() {
        let mut rng = ChaCha::seed(42);
        let xs: Vec<f64> = (0..100_000).map(|_| rng.random()).collect();
        assert!(xs.iter().all(|&x| (0.0..1.0).contains(&x)));
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        // The standard error of the mean of 1e5 uniforms is 0.29/316 ≈ 0.0009; 0.005 is > 5 sigma.
        assert!((mean - 0.5).abs() < 0.005, "mean {mean}");
    }

    #[test]
    fn gauss_has_the_requested_mean_and_standard_deviation() {
        let mut rng = ChaCha::seed(42);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| rng.gauss(1.0, 0.08)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
        // Standard errors: mean 0.08/447 ≈ 1.8e-4, std ≈ 0.08/632 ≈ 1.3e-4.
        assert!((mean - 1.0).abs() < 1e-3, "mean {mean}");
        assert!((var.sqrt() - 0.08).abs() < 1e-3, "std {}", var.sqrt());
    }

    #[test]
    fn gauss_uses_the_spare_from_each_pair() {
        // Two normals per two uniforms: after 2n gauss calls, n pairs of uniforms were consumed.
        let mut a = ChaCha::seed(3);
        let mut b = ChaCha::seed(3);
        for _ in 0..10 {
            a.gauss(0.0, 1.0);
        }
        for _ in 0..10 {
            b.random();
        }
        assert_eq!(a.random(), b.random());
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut rng = ChaCha::seed(42);
        let mut xs: Vec<u32> = (0..1000).collect();
        rng.shuffle(&mut xs);
        assert_ne!(xs, (0..1000).collect::<Vec<_>>());
        xs.sort_unstable();
        assert_eq!(xs, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn below_is_uniform_over_its_range() {
        let mut rng = ChaCha::seed(5);
        let mut counts = [0usize; 3];
        for _ in 0..30_000 {
            counts[rng.below(3)] += 1;
        }
        // Each count is Binomial(30000, 1/3): std ≈ 82; 500 is > 6 sigma.
        assert!(counts.iter().all(|&c| c.abs_diff(10_000) < 500), "{counts:?}");
    }

    #[test]
    fn choice_follows_the_weights() {
        let mut rng = ChaCha::seed(9);
        let mut counts = [0usize; 3];
        for _ in 0..40_000 {
            counts[rng.choice(&[1.0, 0.0, 3.0])] += 1;
        }
        assert_eq!(counts[1], 0, "a zero weight is never chosen");
        // counts[0] ~ Binomial(40000, 1/4): mean 10000, std ≈ 87.
        assert!(counts[0].abs_diff(10_000) < 500, "{counts:?}");
    }

    #[test]
    #[should_panic(expected = "finite positive sum")]
    fn choice_rejects_all_zero_weights() {
        ChaCha::seed(0).choice(&[0.0, 0.0]);
    }
}
