//! The whole GPT on one page: microgpt.py in Rust, in its order, computing the
//! crate's numbers to the last bit without using it; chapter 15 maps each section to
//! its chapter. `cargo run --release --example microgpt [names.txt]`. Beside std it
//! takes rand_chacha, for a seeded stream, and libm for exp, ln, pow, sin and cos:
//! the platform's math library rounds a few results differently on glibc, musl,
//! macOS, Windows or WebAssembly; libm is pinned, the same everywhere (src/math.rs).

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use std::collections::{BTreeSet, HashMap};
use std::io::{self, Write};

// Let there be order among chaos: one seeded stream for all randomness, and the draws
// microgpt.py takes from Python's `random`, computed the way CPython computes them.
struct Random {
    chacha: ChaCha8Rng,
    spare: Option<f64>, // Box-Muller makes normals in pairs; the second waits here
}
impl Random {
    /// A uniform float in [0, 1): the top 53 bits of a u64, times 2⁻⁵³.
    fn random(&mut self) -> f64 {
        (self.chacha.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    /// random.shuffle: Fisher-Yates from the back, each j made uniform by rejection.
    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let k = usize::BITS - (i + 1).leading_zeros(); // (i + 1).bit_length()
            let draw = || (self.chacha.next_u64() >> (64 - k)) as usize;
            let j = std::iter::repeat_with(draw).find(|&j| j <= i).unwrap();
            xs.swap(i, j);
        }
    }
    /// random.gauss: (cos 2πu₁, sin 2πu₁)·√(-2 ln(1 - u₂)) are independent normals.
    fn gauss(&mut self, mu: f64, sigma: f64) -> f64 {
        let z = self.spare.take().unwrap_or_else(|| {
            let x2pi = self.random() * std::f64::consts::TAU;
            let g2rad = (-2.0 * libm::log(1.0 - self.random())).sqrt();
            self.spare = Some(libm::sin(x2pi) * g2rad);
            libm::cos(x2pi) * g2rad
        });
        mu + z * sigma
    }
    /// random.choices: the first index whose running total passes a uniform point.
    fn choice(&mut self, weights: &[f64]) -> usize {
        let x = self.random() * weights.iter().fold(0.0, |total, w| total + w);
        let (mut i, mut total) = (0, weights[0]);
        while total <= x && i + 1 < weights.len() {
            i += 1;
            total += weights[i];
        }
        i
    }
}

// Let there be an input dataset: one document (a name) per line, blank lines skipped.
const NAMES: &str = include_str!("../data/names.txt");

// Let there be a tokenizer: each distinct character is a token id, sorted (so ids do
// not depend on the shuffle), and one more id, BOS, marks a document's two ends.
fn tokenizer(docs: &[&str]) -> Vec<char> {
    docs.iter().flat_map(|d| d.chars()).collect::<BTreeSet<_>>().into_iter().collect()
}
/// [BOS, c₁, …, cₖ, BOS]: the model learns how names start, and when they end.
fn encode(uchars: &[char], doc: &str) -> Vec<usize> {
    let ids = doc.chars().map(|c| uchars.binary_search(&c).expect("in uchars"));
    [uchars.len()].into_iter().chain(ids).chain([uchars.len()]).collect()
}

// Let there be autograd: each operation records its value and, for each input
// (child), the local derivative ∂node/∂child. Nodes stay in the order computed, so
// backward is one loop from the end. A Var is a node's index: no pointers, no Rc.
type Var = usize;
struct Tape {
    data: Vec<f64>,         // the value of node i
    edges: Vec<(Var, f64)>, // (child, ∂node/∂child) of every node, node after node
    from: Vec<usize>,       // node i's edges are edges[from[i]..from[i + 1]]
}
impl Tape {
    /// A graph whose first nodes are the parameters, as leaves: parameter i is Var i.
    fn new(params: &[f64]) -> Self {
        Tape { data: params.to_vec(), edges: vec![], from: vec![0; params.len() + 1] }
    }
    fn push(&mut self, x: f64, edges: impl IntoIterator<Item = (Var, f64)>) -> Var {
        self.edges.extend(edges);
        self.from.push(self.edges.len());
        self.data.push(x);
        self.data.len() - 1
    }
    /// f(a) for a function of one input, given as x ↦ [f(x), f'(x)].
    fn map(&mut self, a: Var, f: impl Fn(f64) -> [f64; 2]) -> Var {
        let [y, dy] = f(self.data[a]);
        self.push(y, [(a, dy)])
    }
    fn map_all(&mut self, xs: &[Var], f: impl Fn(f64) -> [f64; 2]) -> Vec<Var> {
        xs.iter().map(|&x| self.map(x, &f)).collect()
    }
    /// f(a, b) for a function of two inputs, given as (x, y) ↦ [f, ∂f/∂x, ∂f/∂y].
    fn map2(&mut self, a: Var, b: Var, f: impl Fn(f64, f64) -> [f64; 3]) -> Var {
        let [z, dx, dy] = f(self.data[a], self.data[b]);
        self.push(z, [(a, dx), (b, dy)])
    }
    /// Σ xᵢ as one node, folded from 0 left to right as Python's sum() folds.
    fn sum(&mut self, xs: &[Var]) -> Var {
        let total = xs.iter().fold(0.0, |s, &x| s + self.data[x]);
        self.push(total, xs.iter().map(|&x| (x, 1.0)))
    }
    /// Σ aᵢ·bᵢ as one node, with the value and derivatives of microgpt.py's 2n nodes.
    fn dot(&mut self, a: &[Var], b: &[Var]) -> Var {
        let (d, pairs) = (&self.data, a.iter().zip(b));
        let total = pairs.clone().fold(0.0, |s, (&x, &y)| s + d[x] * d[y]);
        self.edges.extend(pairs.flat_map(|(&x, &y)| [(x, d[y]), (y, d[x])]));
        self.push(total, []) // its edges are in place
    }
    /// ∂root/∂node for all nodes. Each node's gradient is complete when we reach it
    /// (its users came later), and the chain rule passes it on; fan-out adds up.
    fn backward(&self, root: Var) -> Vec<f64> {
        let mut grad = vec![0.0; root + 1];
        grad[root] = 1.0;
        for node in (0..=root).rev() {
            for &(child, local) in &self.edges[self.from[node]..self.from[node + 1]] {
                grad[child] += local * grad[node];
            }
        }
        grad
    }
}

// Initialize the parameters, the knowledge of the model, as microgpt.py does: matrix
// by matrix, row by row, each weight drawn from N(0, 0.08²): one seed is one model.
const N_EMBD: usize = 16; // embedding dimension
const N_HEAD: usize = 4; // number of attention heads
const N_LAYER: usize = 1; // number of layers
const BLOCK_SIZE: usize = 16; // maximum sequence length
const HEAD_DIM: usize = N_EMBD / N_HEAD; // dimension of each head
type Matrix = Vec<Vec<Var>>; // a matrix's rows, as Vars: parameter i is Var i
type StateDict = HashMap<String, Matrix>;
fn init(vocab_size: usize, rng: &mut Random) -> (Vec<f64>, StateDict) {
    let (mut n, mut state_dict, e) = (0, HashMap::new(), N_EMBD);
    let mut matrix = |nout: usize, nin: usize| -> Matrix {
        let first = n;
        n += nout * nin;
        (0..nout).map(|r| (first + r * nin..).take(nin).collect()).collect()
    };
    state_dict.insert("wte".into(), matrix(vocab_size, e));
    state_dict.insert("wpe".into(), matrix(BLOCK_SIZE, e));
    state_dict.insert("lm_head".into(), matrix(vocab_size, e));
    for i in 0..N_LAYER {
        for name in ["attn_wq", "attn_wk", "attn_wv", "attn_wo"] {
            state_dict.insert(format!("layer{i}.{name}"), matrix(e, e));
        }
        state_dict.insert(format!("layer{i}.mlp_fc1"), matrix(4 * e, e));
        state_dict.insert(format!("layer{i}.mlp_fc2"), matrix(e, 4 * e));
    }
    ((0..n).map(|_| rng.gauss(0.0, 0.08)).collect(), state_dict)
}

// Define the model: GPT-2, blessed among the GPTs, with microgpt.py's simplifications
// (rms_norm for layer norm, no biases, ReLU for GeLU), reading one token at a time.
fn linear(t: &mut Tape, x: &[Var], w: &Matrix) -> Vec<Var> {
    w.iter().map(|row| t.dot(row, x)).collect()
}
fn add(t: &mut Tape, a: &[Var], b: &[Var]) -> Vec<Var> {
    a.iter().zip(b).map(|(&x, &y)| t.map2(x, y, |x, y| [x + y, 1.0, 1.0])).collect()
}
/// exp(xᵢ - max) / Σⱼ exp(xⱼ - max): the max cancels out, and keeps each exp ≤ 1.
fn softmax(t: &mut Tape, logits: &[Var]) -> Vec<Var> {
    let max = logits.iter().map(|&l| t.data[l]).fold(f64::NEG_INFINITY, f64::max);
    let shifted = t.map_all(logits, |x| [x - max, 1.0]);
    let exps = t.map_all(&shifted, |x| [libm::exp(x), libm::exp(x)]);
    let total = t.sum(&exps);
    // x / y as x · (1/y), the way microgpt.py's Value divides
    let div = |x: f64, y: f64| [x * (1.0 / y), 1.0 / y, -x * (1.0 / y) * (1.0 / y)];
    exps.iter().map(|&e| t.map2(e, total, div)).collect()
}
/// x / √(mean(x²) + ε): unit root-mean-square, so activations cannot drift in size.
fn rms_norm(t: &mut Tape, x: &[Var]) -> Vec<Var> {
    let (sum_sq, inv_n) = (t.dot(x, x), 1.0 / x.len() as f64);
    let ms = t.map(sum_sq, |s| [s * inv_n, inv_n]);
    let ms_eps = t.map(ms, |m| [m + 1e-5, 1.0]);
    let scale = t.map(ms_eps, |m| [libm::pow(m, -0.5), -0.5 * libm::pow(m, -1.5)]);
    x.iter().map(|&xi| t.map2(xi, scale, |x, s| [x * s, s, x])).collect()
}
/// Per head: the values, weighted by the softmax of the scaled scores q·k.
fn attention(t: &mut Tape, q: &[Var], keys: &Matrix, values: &Matrix) -> Vec<Var> {
    let (scale, mut out) = (1.0 / (HEAD_DIM as f64).sqrt(), Vec::new());
    for hs in (0..N_EMBD).step_by(HEAD_DIM).map(|s| s..s + HEAD_DIM) {
        let q_h = &q[hs.clone()];
        let dots: Vec<_> = keys.iter().map(|k| t.dot(q_h, &k[hs.clone()])).collect();
        let scores = t.map_all(&dots, |x| [x * scale, scale]); // of about unit size
        let weights = softmax(t, &scores);
        for j in hs {
            let column: Vec<Var> = values.iter().map(|v| v[j]).collect();
            out.push(t.dot(&weights, &column));
        }
    }
    out
}
type Kv = Vec<(Matrix, Matrix)>; // per layer, the keys and values of each position
/// The logits after token `id` at `pos`; attention sees 0..=pos, never the future.
fn gpt(t: &mut Tape, sd: &StateDict, id: usize, pos: usize, kv: &mut Kv) -> Vec<Var> {
    let x = add(t, &sd["wte"][id], &sd["wpe"][pos]); // token + position embedding
    let mut x = rms_norm(t, &x); // not redundant: the residual stream starts here
    for (li, (keys, values)) in kv.iter_mut().enumerate() {
        let w = |name: &str| &sd[&format!("layer{li}.{name}")];
        // 1) Multi-head attention: look back at every position so far
        let h = rms_norm(t, &x);
        let q = linear(t, &h, w("attn_wq"));
        keys.push(linear(t, &h, w("attn_wk")));
        values.push(linear(t, &h, w("attn_wv")));
        let h = attention(t, &q, keys, values);
        let out = linear(t, &h, w("attn_wo"));
        x = add(t, &out, &x); // the residual connection
        // 2) MLP: think about what attention gathered, one position at a time
        let h = rms_norm(t, &x);
        let h = linear(t, &h, w("mlp_fc1"));
        let h = t.map_all(&h, |x| [x.max(0.0), if x > 0.0 { 1.0 } else { 0.0 }]);
        let out = linear(t, &h, w("mlp_fc2"));
        x = add(t, &out, &x);
    }
    linear(t, &x, &sd["lm_head"])
}

/// microgpt.py's run, seed 42: prints what it prints, returns every loss and name.
pub fn run(text: &str, out: &mut impl Write) -> io::Result<(Vec<f64>, Vec<String>)> {
    let mut rng = Random { chacha: ChaCha8Rng::seed_from_u64(42), spare: None };
    let mut docs: Vec<&str> = text.lines().map(str::trim).collect();
    docs.retain(|doc| !doc.is_empty());
    rng.shuffle(&mut docs);
    let uchars = tokenizer(&docs);
    let (mut params, sd) = init(uchars.len() + 1, &mut rng);
    writeln!(out, "num docs: {}\nvocab size: {}", docs.len(), uchars.len() + 1)?;
    writeln!(out, "num params: {}", params.len())?;
    // Let there be Adam, the blessed optimizer, and its buffers: averages of g and g²
    let (learning_rate, beta1, beta2, eps_adam) = (0.01, 0.85, 0.99, 1e-8);
    let (mut m, mut v) = (vec![0.0; params.len()], vec![0.0; params.len()]);
    // Repeat in sequence
    let (num_steps, mut losses) = (1000, vec![]);
    for step in 0..num_steps {
        // Take one document; a long one is cut to its first block_size positions
        let tokens = encode(&uchars, docs[step % docs.len()]);
        let n = BLOCK_SIZE.min(tokens.len() - 1);
        // Forward to the loss, the mean surprise at each next token, -ln p(next)
        let mut tape = Tape::new(&params);
        let mut kv = vec![(vec![], vec![]); N_LAYER];
        let mut surprises = Vec::with_capacity(n);
        for pos in 0..n {
            let logits = gpt(&mut tape, &sd, tokens[pos], pos, &mut kv);
            let p = softmax(&mut tape, &logits)[tokens[pos + 1]];
            surprises.push(tape.map(p, |p| [-libm::log(p), -1.0 / p]));
        }
        let (total, inv_n) = (tape.sum(&surprises), 1.0 / n as f64);
        let loss = tape.map(total, |s| [s * inv_n, inv_n]); // May yours be low.
        // Backward: the gradient of the loss with respect to every parameter
        let grad = tape.backward(loss);
        // Adam's update, lr decaying to 0; bias corrections undo m and v's zero start
        let lr_t = learning_rate * (1.0 - step as f64 / num_steps as f64);
        let inv_bias1 = 1.0 / (1.0 - libm::pow(beta1, (step + 1) as f64));
        let inv_bias2 = 1.0 / (1.0 - libm::pow(beta2, (step + 1) as f64));
        for (i, p) in params.iter_mut().enumerate() {
            m[i] = beta1 * m[i] + (1.0 - beta1) * grad[i];
            v[i] = beta2 * v[i] + (1.0 - beta2) * (grad[i] * grad[i]);
            *p -= lr_t * (m[i] * inv_bias1) / ((v[i] * inv_bias2).sqrt() + eps_adam);
        }
        // Each step overwrites the last, as in microgpt.py; every 100th stays put
        let loss = tape.data[loss];
        let end = if (step + 1) % 100 == 0 { '\n' } else { '\r' };
        write!(out, "step {:4} / {num_steps:4} | loss {loss:.4}{end}", step + 1)?;
        out.flush()?;
        losses.push(loss);
    }
    writeln!(out, "--- inference (new, hallucinated names) ---")?;
    let mut names = vec![];
    for i in 1..=20 {
        names.push(sample(Tape::new(&params), &sd, &uchars, &mut rng));
        writeln!(out, "sample {i:2}: {}", names[i - 1])?;
    }
    Ok((losses, names))
}

// Inference: may the model babble back to us. From BOS, draw each next token from
// the model's odds, sharpened by a temperature, until BOS again or a full context.
const TEMPERATURE: f64 = 0.5; // in (0, 1]: lower is safer, higher more inventive
fn sample(mut t: Tape, sd: &StateDict, uchars: &[char], rng: &mut Random) -> String {
    let (mut kv, mut name) = (vec![(vec![], vec![]); N_LAYER], String::new());
    let (mut token, inv_t) = (uchars.len(), 1.0 / TEMPERATURE);
    for pos in 0..BLOCK_SIZE {
        let logits = gpt(&mut t, sd, token, pos, &mut kv);
        let scaled = t.map_all(&logits, |x| [x * inv_t, inv_t]);
        let probs = softmax(&mut t, &scaled);
        token = rng.choice(&probs.iter().map(|&p| t.data[p]).collect::<Vec<_>>());
        let Some(&c) = uchars.get(token) else { break }; // BOS is no character
        name.push(c);
    }
    name
}

fn main() -> io::Result<()> {
    let text = std::env::args().nth(1).map(std::fs::read_to_string).transpose()?;
    run(text.as_deref().unwrap_or(NAMES), &mut io::stdout().lock()).map(drop)
}
