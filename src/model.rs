//! # The model: a GPT that reads one token at a time
//!
//! The architecture is GPT-2's, shrunk and simplified as in microgpt.py: RMSNorm instead of
//! LayerNorm, no biases, ReLU instead of GeLU. Given a token and its position, it returns one logit
//! per vocabulary entry, a score for each possible next token:
//!
//! ```text
//! x = rms_norm(wte[token] + wpe[pos])
//! for each layer:
//!     x = x + attn_wo · attention(rms_norm(x))           (keys and values go to the cache)
//!     x = x + mlp_fc2 · relu(mlp_fc1 · rms_norm(x))
//! logits = lm_head · x
//! ```
//!
//! The forward pass is written once, against the [`Engine`] trait, so the same code runs on the
//! scalar tape and on the fused engine.
//!
//! # Examples
//!
//! The logits an untrained reference model gives for the first character of a name, read after BOS
//! at position 0, on the scalar engine:
//!
//! ```
//! use microgpt::engine::{Engine, ScalarEngine};
//! use microgpt::model::{Config, Gpt};
//! use microgpt::rng::ChaCha;
//!
//! let model = Gpt::init(Config::reference(27)?, &mut ChaCha::seed(42));
//! let mut engine = ScalarEngine::new();
//! engine.begin(model.params());
//! let mut cache = model.kv_cache();
//! let bos = 26;
//! let logits = model.forward(&mut engine, bos, 0, &mut cache);
//! let logits = engine.values(&logits);
//! assert_eq!(logits.len(), 27); // a score for each letter and for BOS
//! assert!(logits.iter().all(|l| l.abs() < 1.0)); // untrained: no letter is favoured much
//! # Ok::<(), microgpt::Error>(())
//! ```

use crate::engine::{Engine, ScalarEngine};
use crate::error::{Error, Result, approximate};
use crate::params::{Layout, Matrix, Params};
use crate::rng::RandomSource;
use crate::tokenizer::Token;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

// ANCHOR: Config
/// The shape of a model. Only [`Config::new`] makes one, so every `Config` is valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ConfigFields")]
pub struct Config {
    vocab_size: usize,
    n_layer: usize,
    n_embd: usize,
    n_head: usize,
    block_size: usize,
}
// ANCHOR_END: Config

/// A configuration as it is written down (in a checkpoint), before [`Config::new`] has checked it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFields {
    vocab_size: usize,
    n_layer: usize,
    n_embd: usize,
    n_head: usize,
    block_size: usize,
}

impl TryFrom<ConfigFields> for Config {
    type Error = String;

    /// What is wrong, without the "invalid model configuration" the reader of a file already knows.
    fn try_from(c: ConfigFields) -> std::result::Result<Self, String> {
        Config::new(c.vocab_size, c.n_layer, c.n_embd, c.n_head, c.block_size).map_err(|e| match e {
            Error::InvalidConfig(why) => why,
            other => other.to_string(),
        })
    }
}

impl Config {
    // ANCHOR: Config_new
    /// A configuration with `vocab_size` tokens, `n_layer` blocks, embeddings of width `n_embd`
    /// split over `n_head` attention heads, and a context of `block_size` positions.
    ///
    /// Every size must be at least 1 and `n_embd` must be a multiple of `n_head`, so that each head
    /// gets an equal slice of the embedding. The model must also fit the limits [`MAX_PARAMS`] and
    /// [`MAX_ACTIVATIONS`], checked before anything of its size is allocated.
    pub fn new(
        vocab_size: usize,
        n_layer: usize,
        n_embd: usize,
        n_head: usize,
        block_size: usize,
    ) -> Result<Self> {
        let sizes = [
            ("vocab_size", vocab_size),
            ("n_layer", n_layer),
            ("n_embd", n_embd),
            ("n_head", n_head),
            ("block_size", block_size),
        ];
        if let Some((name, _)) = sizes.iter().find(|(_, v)| *v == 0) {
            return Err(Error::InvalidConfig(format!("{name} must be at least 1")));
        }
        if !n_embd.is_multiple_of(n_head) {
            return Err(Error::InvalidConfig(format!(
                "n_embd ({n_embd}) must be divisible by n_head ({n_head}) so every head gets an \
                 equal slice"
            )));
        }
        let config = Config { vocab_size, n_layer, n_embd, n_head, block_size };
        config.check_limits()?;
        Ok(config)
    }
    // ANCHOR_END: Config_new

    /// microgpt.py's model for a vocabulary of `vocab_size`: 1 layer, width 16, 4 heads, 16 positions.
    pub fn reference(vocab_size: usize) -> Result<Self> {
        Config::new(vocab_size, 1, 16, 4, 16)
    }

    /// The number of distinct tokens, BOS included.
    pub fn vocab_size(&self) -> usize {
        self.vocab_size
    }

    /// The number of transformer blocks.
    pub fn n_layer(&self) -> usize {
        self.n_layer
    }

    /// The width of every vector that flows between blocks.
    pub fn n_embd(&self) -> usize {
        self.n_embd
    }

    /// The number of attention heads.
    pub fn n_head(&self) -> usize {
        self.n_head
    }

    /// The width of one head: `n_embd / n_head`.
    pub fn head_dim(&self) -> usize {
        self.n_embd / self.n_head
    }

    /// The longest context: positions `0..block_size`.
    pub fn block_size(&self) -> usize {
        self.block_size
    }

    // ANCHOR: n_params
    /// The number of parameters: `(2·vocab + block)·n_embd + n_layer · 12·n_embd²`.
    ///
    /// `wte` and `lm_head` are vocab × n_embd, `wpe` is block × n_embd, and each layer has four
    /// n_embd × n_embd attention matrices plus two MLP matrices of 4·n_embd × n_embd.
    pub fn n_params(&self) -> usize {
        let (v, b, e) = (self.vocab_size, self.block_size, self.n_embd);
        (2 * v + b) * e + self.n_layer * 12 * e * e
    }
    // ANCHOR_END: n_params

    /// A measure of the activations of one document: the values one forward pass over a full
    /// context computes, counting each product of a weight and an input,
    /// `block_size · (n_params + 2·vocab_size + n_layer · block_size · (2·n_embd + 4·n_head))`.
    ///
    /// At each position the model multiplies every weight it uses once (there are at most
    /// `n_params`) and takes the softmax of one logit per token; in each layer its query meets up to
    /// `block_size` cached keys (a product per dimension, then a score and its softmax per head)
    /// and mixes as many values. The scalar engine keeps every one of these on its tape for the
    /// backward pass: about two edges each in a model of any size, fewer than four in the smallest.
    pub fn n_activations(&self) -> usize {
        self.checked_n_activations().expect("every Config has a count that fits, see Config::new")
    }

    /// [`Config::n_params`] with every step checked: `None` if the count does not fit in a `usize`.
    fn checked_n_params(&self) -> Option<usize> {
        let (v, b, e) = (self.vocab_size, self.block_size, self.n_embd);
        let embeddings = v.checked_mul(2)?.checked_add(b)?.checked_mul(e)?;
        let layers = e.checked_mul(e)?.checked_mul(12)?.checked_mul(self.n_layer)?;
        embeddings.checked_add(layers)
    }

    /// [`Config::n_activations`] with every step checked.
    fn checked_n_activations(&self) -> Option<usize> {
        let (v, b, e, h) = (self.vocab_size, self.block_size, self.n_embd, self.n_head);
        let attention =
            e.checked_mul(2)?.checked_add(h.checked_mul(4)?)?.checked_mul(b)?.checked_mul(self.n_layer)?;
        let output = v.checked_mul(2)?;
        self.checked_n_params()?.checked_add(output)?.checked_add(attention)?.checked_mul(b)
    }

    /// Checks the counts against [`MAX_PARAMS`] and [`MAX_ACTIVATIONS`]. A count that overflows a
    /// `usize` is over its limit too; the message gives it as a float, which cannot overflow.
    fn check_limits(&self) -> Result<()> {
        let [v, l, e, h, b] =
            [self.vocab_size, self.n_layer, self.n_embd, self.n_head, self.block_size].map(|x| x as f64);
        let params = (2.0 * v + b) * e + l * 12.0 * e * e;
        if self.checked_n_params().is_none_or(|n| n > MAX_PARAMS) {
            return Err(Error::InvalidConfig(format!(
                "the model would have {} parameters, more than the limit of {MAX_PARAMS} (2^24)",
                approximate(params)
            )));
        }
        if self.checked_n_activations().is_none_or(|n| n > MAX_ACTIVATIONS) {
            let activations = b * (params + 2.0 * v + l * b * (2.0 * e + 4.0 * h));
            return Err(Error::InvalidConfig(format!(
                "one document would need {} activations, more than the limit of {MAX_ACTIVATIONS} \
                 (2^26): use a smaller block_size, n_embd or n_layer",
                approximate(activations)
            )));
        }
        Ok(())
    }
}

// ANCHOR: limits
/// The most parameters a model may have: 2²⁴, 16,777,216. That is 128 MiB of weights, and training
/// keeps four arrays of that size (the weights, their gradients and Adam's two averages).
pub const MAX_PARAMS: usize = 1 << 24;

/// The most activations one document may need ([`Config::n_activations`]): 2²⁶, 67,108,864. The
/// scalar engine's graph of one training step then takes about 2 GB at most (1.6 GB measured for
/// `n_embd` 128, `n_layer` 4, `block_size` 64, at 83% of the limit), the fused engine's far less
/// (39 MB for the same model).
pub const MAX_ACTIVATIONS: usize = 1 << 26;

/// The largest magnitude a weight may have: 10⁶⁴. Within it, and within the limits on sizes, the
/// forward pass cannot overflow: the logits stay below about 3·10¹¹·w³ ≈ 10²⁰⁴ for weights up to
/// `w`, so sampling always has finite logits to draw from. Loading a checkpoint checks it, and
/// training stops when an update crosses it.
pub const WEIGHT_LIMIT: f64 = 1e64;
// ANCHOR_END: limits

/// Whether `w` is a weight a model may have: finite and at most [`WEIGHT_LIMIT`] in magnitude.
pub fn weight_in_range(w: f64) -> bool {
    w.abs() <= WEIGHT_LIMIT
}

/// The first of the weights `data`, laid out by `layout`, that is not [`weight_in_range`]: its name
/// (`wte[3][5]`) and its value.
pub(crate) fn first_out_of_range(layout: &Layout, data: &[f64]) -> Option<(String, f64)> {
    let i = data.iter().position(|&w| !weight_in_range(w))?;
    let (name, row, col) = layout.name_of(i);
    Some((format!("{name}[{row}][{col}]"), data[i]))
}

// ANCHOR: Layer
/// The six weight matrices of one transformer block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layer {
    /// Queries: what each position looks for (`n_embd × n_embd`).
    pub attn_wq: Matrix,
    /// Keys: what each position offers to be found by (`n_embd × n_embd`).
    pub attn_wk: Matrix,
    /// Values: what each position hands over when attended to (`n_embd × n_embd`).
    pub attn_wv: Matrix,
    /// The output projection of attention's heads (`n_embd × n_embd`).
    pub attn_wo: Matrix,
    /// The MLP's first layer, to four times the width (`4·n_embd × n_embd`).
    pub mlp_fc1: Matrix,
    /// The MLP's second layer, back to the width of the stream (`n_embd × 4·n_embd`).
    pub mlp_fc2: Matrix,
}
// ANCHOR_END: Layer

// ANCHOR: Gpt
/// A GPT: its configuration, its parameters, and handles to each named matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct Gpt {
    config: Config,
    params: Params,
    wte: Matrix,
    wpe: Matrix,
    lm_head: Matrix,
    layers: Vec<Layer>,
}
// ANCHOR_END: Gpt

// ANCHOR: KvCache
/// The keys and values of every position seen so far, per layer.
///
/// Attention at position `t` needs the keys and values of positions `0..=t`. Computing one token at a
/// time and appending to this cache gives exactly that: the future is not in the cache yet.
#[derive(Clone, Debug)]
pub struct KvCache<V> {
    keys: Vec<Vec<V>>,
    values: Vec<Vec<V>>,
}

impl<V> KvCache<V> {
    /// An empty cache for a model of `n_layer` layers.
    pub fn new(n_layer: usize) -> Self {
        KvCache {
            keys: (0..n_layer).map(|_| Vec::new()).collect(),
            values: (0..n_layer).map(|_| Vec::new()).collect(),
        }
    }

    /// How many positions are cached.
    pub fn len(&self) -> usize {
        self.keys.first().map_or(0, Vec::len)
    }

    /// Whether no position is cached yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
// ANCHOR_END: KvCache

/// The standard deviation of the initial weights, as in microgpt.py.
pub const INIT_STD: f64 = 0.08;

impl Gpt {
    // ANCHOR: layout
    /// The names and shapes of every matrix of `config`, in microgpt.py's order: `wte`, `wpe`,
    /// `lm_head`, then per layer `attn_wq`, `attn_wk`, `attn_wv`, `attn_wo`, `mlp_fc1`, `mlp_fc2`.
    fn layout(config: &Config) -> (Layout, Matrix, Matrix, Matrix, Vec<Layer>) {
        let (v, e, b) = (config.vocab_size, config.n_embd, config.block_size);
        let mut layout = Layout::new();
        let wte = layout.push("wte", v, e);
        let wpe = layout.push("wpe", b, e);
        let lm_head = layout.push("lm_head", v, e);
        let layers = (0..config.n_layer)
            .map(|i| Layer {
                attn_wq: layout.push(format!("layer{i}.attn_wq"), e, e),
                attn_wk: layout.push(format!("layer{i}.attn_wk"), e, e),
                attn_wv: layout.push(format!("layer{i}.attn_wv"), e, e),
                attn_wo: layout.push(format!("layer{i}.attn_wo"), e, e),
                mlp_fc1: layout.push(format!("layer{i}.mlp_fc1"), 4 * e, e),
                mlp_fc2: layout.push(format!("layer{i}.mlp_fc2"), e, 4 * e),
            })
            .collect();
        (layout, wte, wpe, lm_head, layers)
    }
    // ANCHOR_END: layout

    // ANCHOR: init
    /// A model with every weight drawn from N(0, 0.08²), matrix by matrix, row by row.
    ///
    /// Small random weights break the symmetry between units (with equal weights every unit would
    /// compute, and learn, the same thing) while keeping the first predictions close to uniform.
    pub fn init<R: RandomSource>(config: Config, rng: &mut R) -> Self {
        let data = (0..config.n_params()).map(|_| rng.gauss(0.0, INIT_STD)).collect();
        Self::from_params(config, data).expect("n_params values are what the configuration needs")
    }
    // ANCHOR_END: init

    /// A model with the given weights, in layout order (from a checkpoint).
    ///
    /// Fails with [`Error::ParamCount`] if the number of values does not match the configuration,
    /// before anything the size of the configuration is allocated, and with [`Error::InvalidWeight`]
    /// if a weight is not finite or is beyond [`WEIGHT_LIMIT`].
    pub fn from_params(config: Config, data: Vec<f64>) -> Result<Self> {
        let expected = config.n_params();
        if data.len() != expected {
            return Err(Error::ParamCount { expected, found: data.len() });
        }
        let (layout, wte, wpe, lm_head, layers) = Self::layout(&config);
        assert_eq!(layout.len(), expected, "the layout of {config:?} disagrees with n_params");
        if let Some((weight, value)) = first_out_of_range(&layout, &data) {
            return Err(Error::InvalidWeight { weight, value });
        }
        let params = Params::new(Arc::new(layout), data);
        Ok(Gpt { config, params, wte, wpe, lm_head, layers })
    }

    /// The model's configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The parameters.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The parameters, to update them.
    pub fn params_mut(&mut self) -> &mut Params {
        &mut self.params
    }

    /// The token embedding table, vocab × n_embd.
    pub fn wte(&self) -> Matrix {
        self.wte
    }

    /// The position embedding table, block × n_embd.
    pub fn wpe(&self) -> Matrix {
        self.wpe
    }

    /// The output projection, vocab × n_embd.
    pub fn lm_head(&self) -> Matrix {
        self.lm_head
    }

    /// The matrices of each block.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// An empty cache for this model.
    pub fn kv_cache<V>(&self) -> KvCache<V> {
        KvCache::new(self.config.n_layer)
    }

    // ANCHOR: workbook_ch05
    // ANCHOR: forward
    /// The logits for the token after `token`, which sits at position `pos`; appends this position's
    /// keys and values to `cache`.
    ///
    /// Panics if `token` is outside the vocabulary or `pos` outside the context: callers check
    /// user input before it reaches the model.
    pub fn forward<E: Engine>(
        &self,
        e: &mut E,
        token: Token,
        pos: usize,
        cache: &mut KvCache<E::Vector>,
    ) -> E::Vector {
        let c = &self.config;
        assert!(token < c.vocab_size, "token {token} outside a vocabulary of {}", c.vocab_size);
        assert!(pos < c.block_size, "position {pos} outside a context of {}", c.block_size);
        let tok_emb = e.row(self.wte, token);
        let pos_emb = e.row(self.wpe, pos);
        let x = e.add(&tok_emb, &pos_emb);
        // Not redundant: the residual stream below starts from this normalised vector.
        let mut x = e.rms_norm(&x);
        for (l, layer) in self.layers.iter().enumerate() {
            // 1) attention: look back at earlier positions
            // ANCHOR: forward_attention
            let h = e.rms_norm(&x);
            let q = e.linear(&h, layer.attn_wq);
            cache.keys[l].push(e.linear(&h, layer.attn_wk));
            cache.values[l].push(e.linear(&h, layer.attn_wv));
            let attn = e.attention(&q, &cache.keys[l], &cache.values[l], c.n_head);
            let attn_out = e.linear(&attn, layer.attn_wo);
            x = e.add(&attn_out, &x);
            // ANCHOR_END: forward_attention
            // 2) MLP: think about what was gathered, one position at a time
            // ANCHOR: forward_mlp
            let h = e.rms_norm(&x);
            let h = e.linear(&h, layer.mlp_fc1);
            let h = e.relu(&h);
            let mlp_out = e.linear(&h, layer.mlp_fc2);
            x = e.add(&mlp_out, &x);
            // ANCHOR_END: forward_mlp
        }
        e.linear(&x, self.lm_head)
    }
    // ANCHOR_END: forward
    // ANCHOR_END: workbook_ch05

    /// The attention weights of every layer and head while the model reads `tokens`, indexed
    /// `[layer][head][query position][key position]` (a query at position `t` has `t + 1` weights).
    ///
    /// Panics if `tokens` is longer than the context or holds an id outside the vocabulary.
    pub fn attention_maps(&self, tokens: &[Token]) -> Vec<Vec<Vec<Vec<f64>>>> {
        let (n_layer, n_head) = (self.config.n_layer, self.config.n_head);
        let mut engine = ScalarEngine::recording_attention();
        engine.begin(&self.params);
        let mut cache = self.kv_cache();
        for (pos, &token) in tokens.iter().enumerate() {
            self.forward(&mut engine, token, pos, &mut cache);
        }
        // Recorded position by position, then layer by layer, then head by head.
        let mut maps = vec![vec![Vec::with_capacity(tokens.len()); n_head]; n_layer];
        for (i, weights) in engine.recorded_attention().iter().enumerate() {
            let (layer, head) = ((i / n_head) % n_layer, i % n_head);
            maps[layer][head].push(weights.clone());
        }
        maps
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::ChaCha;

    #[test]
    fn the_reference_model_has_4192_parameters() {
        let config = Config::reference(27).unwrap();
        assert_eq!(config.n_params(), 4192);
        let model = Gpt::init(config, &mut ChaCha::seed(0));
        assert_eq!(model.params().len(), 4192);
    }

    #[test]
    fn matrices_come_in_microgpt_order() {
        let model = Gpt::init(Config::new(5, 2, 8, 2, 4).unwrap(), &mut ChaCha::seed(0));
        let names: Vec<&str> = model.params().layout().matrices().iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "wte",
                "wpe",
                "lm_head",
                "layer0.attn_wq",
                "layer0.attn_wk",
                "layer0.attn_wv",
                "layer0.attn_wo",
                "layer0.mlp_fc1",
                "layer0.mlp_fc2",
                "layer1.attn_wq",
                "layer1.attn_wk",
                "layer1.attn_wv",
                "layer1.attn_wo",
                "layer1.mlp_fc1",
                "layer1.mlp_fc2"
            ]
        );
        assert_eq!(model.params().len(), Config::new(5, 2, 8, 2, 4).unwrap().n_params());
    }

    #[test]
    fn attention_maps_are_causal_rows_that_sum_to_one() {
        let model = Gpt::init(Config::new(5, 2, 8, 2, 6).unwrap(), &mut ChaCha::seed(1));
        let maps = model.attention_maps(&[4, 0, 1, 2]);
        assert_eq!((maps.len(), maps[0].len(), maps[0][0].len()), (2, 2, 4));
        for row in maps.iter().flatten().flatten() {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
        let lengths: Vec<usize> = maps[1][1].iter().map(Vec::len).collect();
        assert_eq!(lengths, [1, 2, 3, 4]);
    }

    #[test]
    fn n_embd_must_divide_into_heads() {
        let err = Config::new(27, 1, 10, 4, 16).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid model configuration: n_embd (10) must be divisible by n_head (4) so every head \
             gets an equal slice"
        );
    }

    #[test]
    fn zero_sizes_are_rejected() {
        assert!(Config::new(27, 0, 16, 4, 16).is_err());
        assert!(Config::new(27, 1, 16, 0, 16).is_err());
        assert!(Config::new(0, 1, 16, 4, 16).is_err());
        assert!(Config::new(27, 1, 16, 4, 0).is_err());
    }
}
