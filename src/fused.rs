//! # Everything else is just efficiency: the fused engine
//!
//! The scalar tape records one node per arithmetic operation: on average 8,120 nodes and 57,369 edges
//! per training step of the reference model. Each edge costs a few nanoseconds in `backward`, an
//! indirect load and store through a child index. That is as fast as a scalar engine gets.
//!
//! The way past it keeps automatic differentiation and changes the granularity. A [`FusedEngine`]
//! records one node per *vector* operation: one `Linear` node for a whole matrix-vector product, one
//! `RmsNorm`, one `Attention` per layer and position, one `CrossEntropy`. Each node's backward is
//! written by hand as a tight loop over contiguous slices (the derivative of a matrix-vector product
//! is two more matrix-vector products), so there are no child indices, no per-edge local derivatives
//! stored, and the compiler can vectorise the loops. All values live in one flat buffer that is reused
//! from step to step, so once it has warmed up the engine allocates nothing (the model's KV cache and
//! the list of per-position losses still make a few short vectors per step).
//!
//! The kernels that carry most of the arithmetic (`matvec`, `matvec_t_acc`, `outer_acc`, and
//! Adam's loop in `optim`) are compiled three times by `multiversion`, for the baseline x86-64 (SSE2),
//! AVX2 and AVX-512, and the widest the processor has is picked at run time: the same operations on
//! two, four or eight numbers per instruction, so the same bits everywhere. aarch64 gets the plain
//! loops, which its compiler vectorises two numbers wide; so does the book's WebAssembly, built with
//! WebAssembly's 128-bit SIMD (`web/build.sh`).
//!
//! Forward values are computed in exactly the scalar engine's order (every sum folds from zero, left
//! to right), so from the same weights the two engines produce bit-identical losses. Their gradients
//! sum the same terms in a different order, and agree to about 1e-15 relative.

use crate::engine::Engine;
use crate::math;
use crate::nn::{RMS_NORM_EPS, attention_scale};
use crate::params::{Matrix, Params};
use std::ops::Range;

// ANCHOR: Span
/// A vector of activations: a range of the engine's value buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    start: u32,
    len: u32,
}

impl Span {
    fn range(self) -> Range<usize> {
        self.start as usize..self.start as usize + self.len as usize
    }

    fn len(self) -> usize {
        self.len as usize
    }
}

/// A single activation (a loss): an index into the engine's value buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scalar(u32);
// ANCHOR_END: Span

// ANCHOR: Op
/// One recorded vector operation: what it read, where it wrote, and what backward needs.
#[derive(Clone, Copy, Debug)]
enum Op {
    /// `out = params[offset..offset + out.len]`: one row of an embedding table.
    Embed { offset: usize, out: Span },
    /// `out = a + b`.
    Add { a: Span, b: Span, out: Span },
    /// `out = W x`.
    Linear { x: Span, w: Matrix, out: Span },
    /// `out = x · scale` with `scale = (mean(x²) + ε)^-½`.
    RmsNorm { x: Span, scale: f64, out: Span },
    /// `out = max(0, x)`.
    Relu { x: Span, out: Span },
    /// Multi-head attention of `q` over `positions` cached keys and values, whose spans are
    /// `kv[kv_start..kv_start + 2·positions]` (keys, then values); `weights` holds the softmax of
    /// every head, head after head.
    Attention { q: Span, kv_start: usize, positions: usize, n_head: usize, weights: Span, out: Span },
    /// `out = -ln probs[target]` with `probs = softmax(logits)`.
    CrossEntropy { logits: Span, target: usize, probs: Span, out: Scalar },
    /// `out = (1/n) Σ xs` over `scalars[start..start + n]`.
    Mean { start: usize, n: usize, out: Scalar },
}
// ANCHOR_END: Op

// ANCHOR: FusedEngine
/// An [`Engine`] that records one node per vector operation and differentiates each with a
/// hand-written loop.
#[derive(Clone, Debug, Default)]
pub struct FusedEngine {
    /// The parameter values of the current graph.
    params: Vec<f64>,
    /// The same values again with every matrix that `linear` multiplies by stored column by column,
    /// for the forward pass's matrix-vector products, written at its first product of the step. Each
    /// column is padded with zeros to a multiple of [`ROWS_AT_ONCE`] rows.
    columns: Vec<f64>,
    /// Every activation of the current graph, in the order computed.
    vals: Vec<f64>,
    /// `∂loss/∂vals[i]`, filled by backward.
    grads: Vec<f64>,
    /// The operations, in the order recorded.
    ops: Vec<Op>,
    /// The key and value spans each attention node read.
    kv: Vec<Span>,
    /// The scalars each mean node averaged.
    scalars: Vec<Scalar>,
    /// Scratch space for attention's backward pass, kept to avoid allocating every step.
    scratch: Vec<f64>,
    /// The offsets of the matrices `row` read from in the current graph.
    embedded: Vec<usize>,
    /// The matrices `linear` multiplied by in the current graph, each once, in order of first use.
    matrices: Vec<Matrix>,
    /// The offset of every matrix of the parameters' layout, in layout order (so sorted); for each,
    /// its index in `matrices` (`usize::MAX` until `linear` first uses it), and where its columns go
    /// in `columns` (`None` for a matrix too large to be stored so): a lookup that stays logarithmic
    /// in a model of a hundred thousand layers.
    layout_starts: Vec<usize>,
    matrix_index: Vec<usize>,
    column_at: Vec<Option<usize>>,
    /// Every `linear` of the current graph, in order: its matrix (an index into `matrices`), `x`
    /// and `out`.
    products: Vec<(usize, Span, Span)>,
    /// Backward's products whose weight gradients it adds up at the end (see [`outer_sum`]), matrix
    /// by matrix in the order of the layout, each matrix's in reverse op order: `(x, out)`.
    deferred: Vec<(Span, Span)>,
    /// Where each matrix's products are in `deferred`: `(matrix, start, end)`.
    groups: Vec<(Matrix, usize, usize)>,
    /// For each of `matrices`, its index in `groups` (`usize::MAX` for an embedding table).
    slots: Vec<usize>,
    /// The inputs and the output gradients of the deferred products of one matrix, as [`outer_sum`]
    /// reads them.
    outer_xs: Vec<f64>,
    outer_gyt: Vec<f64>,
}

impl FusedEngine {
    /// An engine with empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many vector operations the current graph holds.
    pub fn op_count(&self) -> usize {
        self.ops.len()
    }

    /// A new span of `len` zeros at the end of the value buffer.
    fn alloc(&mut self, len: usize) -> Span {
        let start = self.vals.len();
        self.vals.resize(start + len, 0.0);
        Span { start: index(start), len: index(len) }
    }

    /// A new scalar holding `value` at the end of the value buffer.
    fn push_scalar(&mut self, value: f64) -> Scalar {
        let out = Scalar(index(self.vals.len()));
        self.vals.push(value);
        out
    }

    /// The values before `out` (everything an op can read) and `out` itself, which must be the
    /// span allocated last.
    fn split(vals: &mut [f64], out: Span) -> (&[f64], &mut [f64]) {
        let (read, write) = vals.split_at_mut(out.start as usize);
        (read, &mut write[..out.len()])
    }
}

/// A position in the value buffer as the 32 bits a [`Span`] or [`Scalar`] stores.
fn index(i: usize) -> u32 {
    u32::try_from(i).expect("a graph holds at most 2³² values")
}

// ANCHOR: kernels
/// `Σ aᵢ·bᵢ`, folded from zero left to right like the scalar tape's `dot`.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).fold(0.0, |acc, (&x, &y)| acc + x * y)
}

/// How many rows of a matrix-vector product [`matvec`] computes at once: sixteen independent sums,
/// which fill four AVX2 registers (two AVX-512, eight SSE2).
const ROWS_AT_ONCE: usize = 16;

/// Writes row-major `w` (`cols` columns) into `columns` column after column, each column `stride`
/// long (a multiple of [`ROWS_AT_ONCE`], at least the number of rows; the padding is left alone).
fn write_columns(w: &[f64], cols: usize, stride: usize, columns: &mut [f64]) {
    // Four rows at a time, so that each column gets four neighbouring values per write.
    let mut blocks = w.chunks_exact(4 * cols);
    for (b, block) in (&mut blocks).enumerate() {
        let (r0, rest) = block.split_at(cols);
        let (r1, rest) = rest.split_at(cols);
        let (r2, r3) = rest.split_at(cols);
        for (j, column) in columns.chunks_exact_mut(stride).take(cols).enumerate() {
            column[4 * b..4 * b + 4].copy_from_slice(&[r0[j], r1[j], r2[j], r3[j]]);
        }
    }
    let done = (w.len() / cols) / 4 * 4;
    for (i, row) in blocks.remainder().chunks_exact(cols).enumerate() {
        for (wij, column) in row.iter().zip(columns.chunks_exact_mut(stride)) {
            column[done + i] = *wij;
        }
    }
}

/// The most rows of a matrix for which [`matvec`] keeps its running sums in registers, so the most
/// rows of a matrix that `begin` stores column by column (and, squared and halved, the most weights
/// for which [`matvec_t_acc`] keeps its sums in registers). A larger matrix does not fit the fastest
/// cache: transposing it every step would cost more than it saves, and it is read row by row, by
/// [`matvec_rows`], in one pass.
const ROWS_IN_REGISTERS: usize = 64;

/// How long each column of matrix `w` is when stored column by column: its rows, padded to a
/// multiple of [`ROWS_AT_ONCE`].
fn column_stride(w: Matrix) -> usize {
    w.rows().next_multiple_of(ROWS_AT_ONCE)
}

/// How long matrix `w` is when stored column by column.
fn columns_len(w: Matrix) -> usize {
    column_stride(w) * w.cols()
}

/// `out = W x` for `W` stored column by column (see `begin`), sixteen rows at a time.
///
/// Each output is still one sum folded from zero in column order, exactly as [`dot`] computes it
/// for its row. But the sixteen sums of a block are independent: for each column `j` the loop adds
/// `W[i][j]·x[j]` to sixteen running sums whose weights lie next to each other in memory, which the
/// compiler turns into a few vector multiplications and additions, instead of one long chain of
/// additions, each waiting for the one before.
#[multiversion::multiversion(targets("x86_64+avx512f+avx512vl", "x86_64+avx2"))]
fn matvec(columns: &[f64], x: &[f64], out: &mut [f64]) {
    let stride = columns.len() / x.len();
    for (block, o) in out.chunks_mut(ROWS_AT_ONCE).enumerate() {
        let mut sums = [0.0; ROWS_AT_ONCE];
        for (column, &xj) in columns.chunks_exact(stride).zip(x) {
            let w = &column[block * ROWS_AT_ONCE..][..ROWS_AT_ONCE];
            for (sum, &wij) in sums.iter_mut().zip(w) {
                *sum += wij * xj;
            }
        }
        o.copy_from_slice(&sums[..o.len()]);
    }
}

/// `out = W x` for row-major `w`, four rows at a time: for matrices too large to store column by
/// column (see [`ROWS_IN_REGISTERS`]).
///
/// Each output is still one sum folded from zero in column order, exactly as [`dot`] computes it;
/// interleaving four rows gives the processor four independent chains of additions to overlap.
fn matvec_rows(w: &[f64], x: &[f64], out: &mut [f64]) {
    let cols = x.len();
    let mut blocks = w.chunks_exact(4 * cols);
    let mut outs = out.chunks_exact_mut(4);
    for (block, o) in (&mut blocks).zip(&mut outs) {
        let (r0, rest) = block.split_at(cols);
        let (r1, rest) = rest.split_at(cols);
        let (r2, r3) = rest.split_at(cols);
        let (mut a0, mut a1, mut a2, mut a3) = (0.0, 0.0, 0.0, 0.0);
        for ((((&xj, &w0), &w1), &w2), &w3) in x.iter().zip(r0).zip(r1).zip(r2).zip(r3) {
            a0 += w0 * xj;
            a1 += w1 * xj;
            a2 += w2 * xj;
            a3 += w3 * xj;
        }
        o.copy_from_slice(&[a0, a1, a2, a3]);
    }
    for (row, o) in blocks.remainder().chunks_exact(cols).zip(outs.into_remainder()) {
        *o = dot(row, x);
    }
}
// ANCHOR_END: kernels

// ANCHOR: softmax
/// [`math::softmax_in_place`] of each row of `xs`, `row_len` values each, with the same operations
/// in the same order (the row's max, `exp(x - max)` for each, their total folded left to right, a
/// multiplication by its reciprocal). The exponentials of all the rows are computed by
/// [`math::exp_in_range`] many at a time when every `x - max` is in its range, by [`math::exp`] one
/// at a time when one is not. Attention hands over the rows of all its heads at once: one head's row
/// is as long as the document so far, often shorter than a vector register.
#[multiversion::multiversion(targets("x86_64+avx512f+avx512vl", "x86_64+avx2"))]
fn softmax_rows(xs: &mut [f64], row_len: usize) {
    if row_len == 0 {
        return;
    }
    for row in xs.chunks_exact_mut(row_len) {
        let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        for x in row.iter_mut() {
            *x -= max;
        }
    }
    let outside = xs.iter().map(|&x| usize::from(!math::in_exp_range(x))).sum::<usize>();
    if outside == 0 {
        for x in xs.iter_mut() {
            *x = math::exp_in_range(*x);
        }
    } else {
        for x in xs.iter_mut() {
            *x = math::exp(*x);
        }
    }
    for row in xs.chunks_exact_mut(row_len) {
        let total = row.iter().fold(0.0, |total, &x| total + x);
        let inv_total = 1.0 / total;
        for x in row.iter_mut() {
            *x *= inv_total;
        }
    }
}
// ANCHOR_END: softmax

// ANCHOR: backward_kernels
/// How many entries of `gx` [`matvec_t_acc`] keeps in registers while it adds up a whole column of
/// row blocks into them.
const COLS_AT_ONCE: usize = 16;

/// `gx += Wᵀ gy` for row-major `w`: for every block of four rows, `gxⱼ += g₀·w₀ⱼ + g₁·w₁ⱼ + g₂·w₂ⱼ +
/// g₃·w₃ⱼ`, then `gxⱼ += gᵢ·wᵢⱼ` for the rows left over, each `gxⱼ` in that order.
///
/// The additions into one `gxⱼ` form a chain, one per block of rows, that must run in order. Sixteen
/// neighbouring `gxⱼ` at a time stay in registers from the first block to the last, so the chain
/// does not pass through memory at every link.
#[multiversion::multiversion(targets("x86_64+avx512f+avx512vl", "x86_64+avx2"))]
fn matvec_t_acc(w: &[f64], gy: &[f64], gx: &mut [f64]) {
    let cols = gx.len();
    // A large matrix is streamed through once, its gx updated in memory: reading it once per
    // sixteen columns only pays while it stays in the fastest cache.
    let registers = if w.len() <= ROWS_IN_REGISTERS * ROWS_IN_REGISTERS / 2 { cols } else { 0 };
    let mut parts = gx[..registers].chunks_exact_mut(COLS_AT_ONCE);
    for (c, part) in (&mut parts).enumerate() {
        let mut sums: [f64; COLS_AT_ONCE] = part.try_into().expect("a chunk of COLS_AT_ONCE");
        for (b, g) in gy.chunks_exact(4).enumerate() {
            let row = |k: usize| &w[(4 * b + k) * cols + c * COLS_AT_ONCE..][..COLS_AT_ONCE];
            let (r0, r1, r2, r3) = (row(0), row(1), row(2), row(3));
            for j in 0..COLS_AT_ONCE {
                sums[j] += g[0] * r0[j] + g[1] * r1[j] + g[2] * r2[j] + g[3] * r3[j];
            }
        }
        let done = gy.len() / 4 * 4;
        for (i, &g) in gy.iter().enumerate().skip(done) {
            let row = &w[i * cols + c * COLS_AT_ONCE..][..COLS_AT_ONCE];
            for j in 0..COLS_AT_ONCE {
                sums[j] += g * row[j];
            }
        }
        part.copy_from_slice(&sums);
    }
    // The columns left over, in memory.
    let first = registers - parts.into_remainder().len();
    let mut blocks = w.chunks_exact(4 * cols);
    let mut gys = gy.chunks_exact(4);
    for (block, g) in (&mut blocks).zip(&mut gys) {
        let (r0, rest) = block.split_at(cols);
        let (r1, rest) = rest.split_at(cols);
        let (r2, r3) = rest.split_at(cols);
        let rows = r0[first..].iter().zip(&r1[first..]).zip(&r2[first..]).zip(&r3[first..]);
        for (gxj, (((&w0, &w1), &w2), &w3)) in gx[first..].iter_mut().zip(rows) {
            *gxj += g[0] * w0 + g[1] * w1 + g[2] * w2 + g[3] * w3;
        }
    }
    for (row, &g) in blocks.remainder().chunks_exact(cols).zip(gys.remainder()) {
        axpy(&mut gx[first..], g, &row[first..]);
    }
}

/// `∂L/∂W += gy xᵀ` for row-major `gw`, skipping the rows whose `gy` is zero (adding `0·x` could
/// turn a `-0.0` into `0.0`).
fn outer_acc(gw: &mut [f64], gy: &[f64], x: &[f64]) {
    for (&gyi, grow) in gy.iter().zip(gw.chunks_exact_mut(x.len())) {
        if gyi != 0.0 {
            axpy(grow, gyi, x);
        }
    }
}

/// `∂L/∂W = Σₚ gyₚ xₚᵀ` for row-major `gw` (`cols` columns) over `n` products, in order: each
/// `gwᵢⱼ` folded from zero, `+= gyₚᵢ·xₚⱼ` for one product after another. `gyt` holds the output
/// gradients transposed, row `i` being `gy₀ᵢ … gyₙ₋₁ᵢ`; `xs` holds the inputs in blocks of
/// [`COLS_AT_ONCE`] columns, block after block, each `x₀ … xₙ₋₁` (the last block padded with zeros).
///
/// These are the additions, in the same order, that [`outer_acc`] makes one product at a time into
/// a buffer of zeros; made all at the end, they keep sixteen neighbouring `gwᵢⱼ` in registers from
/// the first product to the last, instead of loading and storing the row once per product.
/// [`outer_acc`] skips a `gyₚᵢ` of zero; adding `±0·xₚⱼ` instead changes nothing when every `xₚⱼ` is
/// finite (a sum folded from `+0.0` is never `-0.0`), which the caller checks, and spares the
/// branch.
#[multiversion::multiversion(targets("x86_64+avx512f+avx512vl", "x86_64+avx2"))]
fn outer_sum(gw: &mut [f64], cols: usize, xs: &[f64], gyt: &[f64]) {
    let n = gyt.len() / (gw.len() / cols);
    for (grow, gy) in gw.chunks_exact_mut(cols).zip(gyt.chunks_exact(n)) {
        for (part, block) in grow.chunks_mut(COLS_AT_ONCE).zip(xs.chunks_exact(n * COLS_AT_ONCE)) {
            let mut sums = [0.0; COLS_AT_ONCE];
            for (x, &g) in block.chunks_exact(COLS_AT_ONCE).zip(gy) {
                for (sum, &xj) in sums.iter_mut().zip(x) {
                    *sum += g * xj;
                }
            }
            match part.len() {
                COLS_AT_ONCE => part.copy_from_slice(&sums),
                len => part.copy_from_slice(&sums[..len]),
            }
        }
    }
}

/// Makes `v` at least `len` long, keeping its values.
fn grow(v: &mut Vec<f64>, len: usize) {
    if v.len() < len {
        v.resize(len, 0.0);
    }
}

/// `gx += g · y` (the shape of most backward loops).
fn axpy(gx: &mut [f64], g: f64, y: &[f64]) {
    for (gx, &y) in gx.iter_mut().zip(y) {
        *gx += g * y;
    }
}
// ANCHOR_END: backward_kernels

impl Engine for FusedEngine {
    type Vector = Span;
    type Scalar = Scalar;

    // ANCHOR: begin
    fn begin(&mut self, params: &Params) {
        self.params.clear();
        self.params.extend_from_slice(params.data());
        self.vals.clear();
        self.ops.clear();
        self.kv.clear();
        self.scalars.clear();
        self.embedded.clear();
        self.matrices.clear();
        self.products.clear();
        // Where each matrix of at most ROWS_IN_REGISTERS rows goes in `columns`, which `linear`
        // fills at the matrix's first product of the step.
        self.layout_starts.clear();
        self.column_at.clear();
        let mut end = 0;
        for (_, m) in params.layout().matrices() {
            self.layout_starts.push(m.range().start);
            let small = m.rows() <= ROWS_IN_REGISTERS;
            self.column_at.push(small.then_some(end));
            end += if small { columns_len(*m) } else { 0 };
        }
        self.columns.resize(end, 0.0);
        self.matrix_index.clear();
        self.matrix_index.resize(self.layout_starts.len(), usize::MAX);
    }
    // ANCHOR_END: begin

    fn row(&mut self, m: Matrix, r: usize) -> Span {
        let out = self.alloc(m.cols());
        let row = m.row_range(r);
        self.vals[out.range()].copy_from_slice(&self.params[row.clone()]);
        self.ops.push(Op::Embed { offset: row.start, out });
        if !self.embedded.contains(&m.range().start) {
            self.embedded.push(m.range().start);
        }
        out
    }

    fn add(&mut self, a: &Span, b: &Span) -> Span {
        let (a, b) = (*a, *b);
        assert_eq!(a.len(), b.len(), "add of vectors of lengths {} and {}", a.len(), b.len());
        let out = self.alloc(a.len());
        let (read, out_vals) = Self::split(&mut self.vals, out);
        for ((o, &x), &y) in out_vals.iter_mut().zip(&read[a.range()]).zip(&read[b.range()]) {
            *o = x + y;
        }
        self.ops.push(Op::Add { a, b, out });
        out
    }

    // ANCHOR: linear_forward
    fn linear(&mut self, x: &Span, w: Matrix) -> Span {
        let x = *x;
        assert_eq!(x.len(), w.cols(), "linear of a {}-vector by a {}x{} matrix", x.len(), w.rows(), w.cols());
        let at = self.layout_starts.binary_search(&w.range().start).expect("a matrix of the parameters");
        let columns = self.column_at[at].map(|start| start..start + columns_len(w));
        if self.matrix_index[at] == usize::MAX {
            // The step's first product by `w`: its column copy, if it has one, is written now.
            self.matrix_index[at] = self.matrices.len();
            self.matrices.push(w);
            if let Some(columns) = columns.clone() {
                write_columns(
                    &self.params[w.range()],
                    w.cols(),
                    column_stride(w),
                    &mut self.columns[columns],
                );
            }
        }
        let out = self.alloc(w.rows());
        let (read, out_vals) = Self::split(&mut self.vals, out);
        match columns {
            Some(columns) => matvec(&self.columns[columns], &read[x.range()], out_vals),
            None => matvec_rows(&self.params[w.range()], &read[x.range()], out_vals),
        }
        self.ops.push(Op::Linear { x, w, out });
        self.products.push((self.matrix_index[at], x, out));
        out
    }
    // ANCHOR_END: linear_forward

    fn rms_norm(&mut self, x: &Span) -> Span {
        let x = *x;
        let out = self.alloc(x.len());
        let (read, out_vals) = Self::split(&mut self.vals, out);
        let x_vals = &read[x.range()];
        let mean_sq = dot(x_vals, x_vals) * (1.0 / x.len() as f64);
        let scale = math::pow(mean_sq + RMS_NORM_EPS, -0.5);
        for (o, &xi) in out_vals.iter_mut().zip(x_vals) {
            *o = xi * scale;
        }
        self.ops.push(Op::RmsNorm { x, scale, out });
        out
    }

    fn relu(&mut self, x: &Span) -> Span {
        let x = *x;
        let out = self.alloc(x.len());
        let (read, out_vals) = Self::split(&mut self.vals, out);
        for (o, &xi) in out_vals.iter_mut().zip(&read[x.range()]) {
            *o = xi.max(0.0);
        }
        self.ops.push(Op::Relu { x, out });
        out
    }

    // ANCHOR: attention_forward
    fn attention(&mut self, q: &Span, keys: &[Span], values: &[Span], n_head: usize) -> Span {
        let q = *q;
        let positions = keys.len();
        let head_dim = q.len() / n_head;
        let scale = attention_scale(head_dim);
        let kv_start = self.kv.len();
        self.kv.extend_from_slice(keys);
        self.kv.extend_from_slice(values);
        let weights = self.alloc(n_head * positions);
        let out = self.alloc(q.len());
        let (read, written) = self.vals.split_at_mut(weights.start as usize);
        let (w_vals, out_vals) = written.split_at_mut(weights.len());
        for (h, a) in w_vals.chunks_exact_mut(positions).enumerate() {
            let hs = h * head_dim..(h + 1) * head_dim;
            let q_h = &read[q.range()][hs.clone()];
            for (a_t, k) in a.iter_mut().zip(keys) {
                *a_t = dot(q_h, &read[k.range()][hs.clone()]) * scale;
            }
        }
        softmax_rows(w_vals, positions);
        for (h, a) in w_vals.chunks_exact(positions).enumerate() {
            let hs = h * head_dim..(h + 1) * head_dim;
            // oⱼ = Σₜ aₜ·vₜⱼ, each folded from zero over the positions in order; the head's oⱼ
            // side by side, so that one position adds to all of them at once.
            let o = &mut out_vals[hs.clone()];
            o.fill(0.0);
            for (&a_t, v) in a.iter().zip(values) {
                axpy(o, a_t, &read[v.range()][hs.clone()]);
            }
        }
        self.ops.push(Op::Attention { q, kv_start, positions, n_head, weights, out });
        out
    }
    // ANCHOR_END: attention_forward

    fn cross_entropy(&mut self, logits: &Span, target: usize) -> Scalar {
        let logits = *logits;
        let probs = self.alloc(logits.len());
        let (read, p) = Self::split(&mut self.vals, probs);
        p.copy_from_slice(&read[logits.range()]);
        softmax_rows(p, p.len());
        let loss = -math::ln(p[target]);
        let out = self.push_scalar(loss);
        self.ops.push(Op::CrossEntropy { logits, target, probs, out });
        out
    }

    fn mean(&mut self, xs: &[Scalar]) -> Scalar {
        let total = xs.iter().fold(0.0, |acc, x| acc + self.vals[x.0 as usize]);
        let out = self.push_scalar(total * (1.0 / xs.len() as f64));
        self.ops.push(Op::Mean { start: self.scalars.len(), n: xs.len(), out });
        self.scalars.extend_from_slice(xs);
        out
    }

    fn value(&self, x: Scalar) -> f64 {
        self.vals[x.0 as usize]
    }

    fn values(&self, x: &Span) -> Vec<f64> {
        self.vals[x.range()].to_vec()
    }

    // ANCHOR: backward
    fn backward(&mut self, loss: Scalar, grads: &mut Params) {
        assert_eq!(grads.len(), self.params.len(), "gradients for a different number of parameters");
        backward(self, loss, grads.data_mut());
    }
    // ANCHOR_END: backward
}

// ANCHOR: backward_pass
/// [`FusedEngine`]'s backward pass, writing `∂loss/∂p` for every parameter into `gp`. A function of
/// its own so that `multiversion` compiles its loops (the elementwise ones of `Add`, `RmsNorm` and
/// `Relu`, and the gathering of the products) for AVX2 and AVX-512 too.
#[multiversion::multiversion(targets("x86_64+avx512f+avx512vl", "x86_64+avx2"))]
fn backward(e: &mut FusedEngine, loss: Scalar, gp: &mut [f64]) {
    let g = &mut e.grads;
    g.clear();
    g.resize(e.vals.len(), 0.0);
    g[loss.0 as usize] = 1.0;
    let (vals, params) = (&e.vals, &e.params);
    // The weight gradients of the matrix-vector products are added up at the end (see
    // `outer_sum`), matrix by matrix, except for a matrix that is also an embedding table, whose
    // rows backward adds to in between. A counting sort puts each matrix's products together, in
    // reverse op order, the order backward meets them.
    e.groups.clear();
    for &m in &e.matrices {
        if !e.embedded.contains(&m.range().start) {
            e.groups.push((m, 0, 0));
        }
    }
    e.groups.sort_unstable_by_key(|&(m, _, _)| m.range().start);
    let slot = &mut e.slots;
    slot.clear();
    for &m in &e.matrices {
        // `groups` is sorted by offset; an embedding table is not in it.
        let found = e.groups.binary_search_by_key(&m.range().start, |&(w, _, _)| w.range().start);
        slot.push(found.unwrap_or(usize::MAX));
    }
    for &(k, _, _) in &e.products {
        if let Some(group) = e.groups.get_mut(slot[k]) {
            group.2 += 1;
        }
    }
    let mut start = 0;
    for (_, first, end) in &mut e.groups {
        *first = start;
        start += *end;
        *end = *first;
    }
    e.deferred.clear();
    e.deferred.resize(start, (Span { start: 0, len: 0 }, Span { start: 0, len: 0 }));
    for &(k, x, out) in e.products.iter().rev() {
        if let Some((_, _, end)) = e.groups.get_mut(slot[k]) {
            e.deferred[*end] = (x, out);
            *end += 1;
        }
    }
    // Zeros where nothing is written at the end: the embedding tables and any unused matrix.
    let mut filled = 0;
    for &(w, _, _) in &e.groups {
        gp[filled..w.range().start].fill(0.0);
        filled = w.range().end;
    }
    gp[filled..].fill(0.0);
    for op in e.ops.iter().rev() {
        match *op {
            Op::Embed { offset, out } => {
                axpy(&mut gp[offset..offset + out.len()], 1.0, &g[out.range()]);
            }
            Op::Add { a, b, out } => {
                for i in 0..out.len() {
                    let go = g[out.start as usize + i];
                    g[a.start as usize + i] += go;
                    g[b.start as usize + i] += go;
                }
            }
            Op::Linear { x, w, out } => {
                // y = W x:  ∂L/∂x = Wᵀ ∂L/∂y,  ∂L/∂W = ∂L/∂y xᵀ.
                let (before, after) = g.split_at_mut(out.start as usize);
                let gy = &after[..out.len()];
                let gx = &mut before[x.range()];
                let xv = &vals[x.range()];
                matvec_t_acc(&params[w.range()], gy, gx);
                if e.embedded.contains(&w.range().start) {
                    outer_acc(&mut gp[w.range()], gy, xv);
                }
            }
            Op::RmsNorm { x, scale, out } => {
                // y = x·s, s = (Σx²/n + ε)^-½:  ∂L/∂xⱼ = s·gyⱼ - (s³/n)·(Σₖ gyₖ xₖ)·xⱼ.
                let (before, after) = g.split_at_mut(out.start as usize);
                let gy = &after[..out.len()];
                let xv = &vals[x.range()];
                let coef = scale * scale * scale / x.len() as f64 * dot(gy, xv);
                for ((gx, &gyj), &xj) in before[x.range()].iter_mut().zip(gy).zip(xv) {
                    *gx += scale * gyj - coef * xj;
                }
            }
            Op::Relu { x, out } => {
                let (before, after) = g.split_at_mut(out.start as usize);
                let gy = &after[..out.len()];
                // A select rather than a branch: which inputs are positive is anyone's guess.
                for ((gx, &gyj), &xj) in before[x.range()].iter_mut().zip(gy).zip(&vals[x.range()]) {
                    *gx = if xj > 0.0 { *gx + gyj } else { *gx };
                }
            }
            Op::Attention { q, kv_start, positions, n_head, weights, out } => {
                attention_backward(
                    g,
                    vals,
                    &e.kv[kv_start..kv_start + 2 * positions],
                    q,
                    n_head,
                    weights,
                    out,
                    &mut e.scratch,
                );
            }
            Op::CrossEntropy { logits, target, probs, out } => {
                // ∂(-ln pₜ)/∂zᵢ = pᵢ - [i = t].
                let go = g[out.0 as usize];
                let p = &vals[probs.range()];
                let gz = &mut g[logits.range()];
                axpy(gz, go, p);
                gz[target] -= go;
            }
            Op::Mean { start, n, out } => {
                let go = g[out.0 as usize] * (1.0 / n as f64);
                for x in &e.scalars[start..start + n] {
                    g[x.0 as usize] += go;
                }
            }
        }
    }
    let (xs, gyt) = (&mut e.outer_xs, &mut e.outer_gyt);
    for &(w, first, end) in &e.groups {
        let group = &e.deferred[first..end];
        let (rows, cols, n) = (w.rows(), w.cols(), group.len());
        let blocks = cols.div_ceil(COLS_AT_ONCE);
        // Every value written below (no zeros to fill first), the padding too.
        grow(xs, blocks * n * COLS_AT_ONCE);
        grow(gyt, rows * n);
        for (p, &(x, out)) in group.iter().enumerate() {
            for (c, part) in vals[x.range()].chunks(COLS_AT_ONCE).enumerate() {
                let block = &mut xs[(c * n + p) * COLS_AT_ONCE..][..COLS_AT_ONCE];
                block[..part.len()].copy_from_slice(part);
                block[part.len()..].fill(0.0);
            }
            for (i, &gyi) in g[out.range()].iter().enumerate() {
                gyt[i * n + p] = gyi;
            }
        }
        let (xs, gyt) = (&xs[..blocks * n * COLS_AT_ONCE], &gyt[..rows * n]);
        let gw = &mut gp[w.range()];
        if xs.iter().map(|x| usize::from(!x.is_finite())).sum::<usize>() == 0 {
            outer_sum(gw, cols, xs, gyt);
        } else {
            gw.fill(0.0);
            for &(x, out) in group {
                outer_acc(gw, &g[out.range()], &vals[x.range()]);
            }
        }
    }
}
// ANCHOR_END: backward_pass

// ANCHOR: attention_backward
/// Backward of one attention node, head by head. With weights `a = softmax(s)`, scores
/// `sₜ = c·q·kₜ` (`c = 1/√d`) and output `o = Σₜ aₜ vₜ`:
/// `∂L/∂aₜ = go·vₜ`, `∂L/∂vₜ += aₜ·go`, `∂L/∂sₜ = aₜ(∂L/∂aₜ - Σᵤ aᵤ ∂L/∂aᵤ)`,
/// `∂L/∂q += Σₜ c·∂L/∂sₜ·kₜ`, `∂L/∂kₜ += c·∂L/∂sₜ·q`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn attention_backward(
    g: &mut [f64],
    vals: &[f64],
    kv: &[Span],
    q: Span,
    n_head: usize,
    weights: Span,
    out: Span,
    scratch: &mut Vec<f64>,
) {
    let positions = kv.len() / 2;
    let (keys, values) = kv.split_at(positions);
    let head_dim = q.len() / n_head;
    let scale = attention_scale(head_dim);
    scratch.clear();
    scratch.resize(positions + head_dim, 0.0);
    let (ga, go) = scratch.split_at_mut(positions);
    for h in 0..n_head {
        let hs = h * head_dim..(h + 1) * head_dim;
        let a = &vals[weights.range()][h * positions..(h + 1) * positions];
        go.copy_from_slice(&g[out.range()][hs.clone()]);
        for t in 0..positions {
            let v = values[t].start as usize + hs.start;
            ga[t] = dot(go, &vals[v..v + head_dim]);
            axpy(&mut g[v..v + head_dim], a[t], go);
        }
        let weighted = dot(a, ga);
        for t in 0..positions {
            let gs = a[t] * (ga[t] - weighted) * scale;
            let k = keys[t].start as usize + hs.start;
            let qh = q.start as usize + hs.start;
            for j in 0..head_dim {
                g[qh + j] += gs * vals[k + j];
                g[k + j] += gs * vals[qh + j];
            }
        }
    }
}
// ANCHOR_END: attention_backward

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ScalarEngine;
    use crate::loss::document_loss;
    use crate::model::{Config, Gpt};
    use crate::rng::ChaCha;

    fn loss_and_grads<E: Engine>(e: &mut E, model: &Gpt, doc: &[usize]) -> (f64, Params) {
        e.begin(model.params());
        let loss = document_loss(model, e, doc);
        let mut grads = model.params().zeros_like();
        e.backward(loss, &mut grads);
        (e.value(loss), grads)
    }

    /// Deterministic numbers in [-1, 1) with some exact zeros, to fill matrices and vectors.
    fn numbers(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha::seed(seed);
        (0..n)
            .map(|i| if i % 7 == 3 { 0.0 } else { 2.0 * crate::rng::RandomSource::random(&mut rng) - 1.0 })
            .collect()
    }

    #[test]
    fn matvec_by_columns_gives_each_row_the_bits_of_its_dot_product() {
        for (rows, cols) in [(27, 16), (16, 64), (64, 16), (5, 3), (33, 17), (100, 8), (7, 70)] {
            let w = numbers(rows * cols, 1);
            let x = numbers(cols, 2);
            let stride = rows.next_multiple_of(ROWS_AT_ONCE);
            let mut columns = vec![0.0; stride * cols];
            write_columns(&w, cols, stride, &mut columns);
            let mut out = vec![0.0; rows];
            matvec(&columns, &x, &mut out);
            let mut by_rows = vec![0.0; rows];
            matvec_rows(&w, &x, &mut by_rows);
            assert_eq!(out, by_rows);
            for (i, row) in w.chunks_exact(cols).enumerate() {
                assert_eq!(out[i].to_bits(), dot(row, &x).to_bits(), "row {i} of {rows}x{cols}");
            }
        }
    }

    #[test]
    fn matvec_t_acc_adds_each_block_of_four_rows_in_order() {
        for (rows, cols) in [(27, 16), (16, 64), (64, 16), (5, 3), (33, 17), (7, 40), (70, 70), (9, 300)] {
            let w = numbers(rows * cols, 3);
            let gy = numbers(rows, 4);
            let start = numbers(cols, 5);
            // The order the fused engine has always used: a block of four rows at a time, then the
            // rows left over one by one.
            let mut expected = start.clone();
            for j in 0..cols {
                let mut i = 0;
                while i + 4 <= rows {
                    let wij = |k: usize| w[(i + k) * cols + j];
                    expected[j] +=
                        gy[i] * wij(0) + gy[i + 1] * wij(1) + gy[i + 2] * wij(2) + gy[i + 3] * wij(3);
                    i += 4;
                }
                for i in i..rows {
                    expected[j] += gy[i] * w[i * cols + j];
                }
            }
            let mut gx = start;
            matvec_t_acc(&w, &gy, &mut gx);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&gx), bits(&expected), "{rows}x{cols}");
        }
    }

    #[test]
    fn softmax_rows_has_the_bits_of_math_softmax_row_by_row() {
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        // Each row of `rows`, alone and all of them at once, as math::softmax computes it.
        let check = |rows: &[Vec<f64>]| {
            let expected: Vec<f64> = rows.iter().flat_map(|row| math::softmax(row)).collect();
            let mut fused = rows.concat();
            softmax_rows(&mut fused, rows[0].len());
            assert_eq!(bits(&fused), bits(&expected), "{rows:?}");
        };
        let sizes = [(27, 1), (16, 2), (5, 3), (1, 4), (64, 5)].into_iter();
        for (n, seed) in sizes.chain((0..3000).map(|i| (1 + i % 40, 10 + i as u64))) {
            let scale = [0.1, 1.0, 20.0, 400.0][seed as usize % 4];
            let rows: Vec<Vec<f64>> = (0..1 + seed % 4)
                .map(|r| numbers(n, seed + 7 * r).iter().map(|x| x * scale).collect())
                .collect();
            check(&rows[..1]);
            check(&rows);
        }
        // Rows outside exp_in_range's range, alone and beside ordinary ones.
        let ordinary = vec![0.5, -1.0, 2.0];
        for row in [
            vec![0.0, -800.0, 3.0],
            vec![f64::INFINITY, 1.0, 0.0],
            vec![f64::NAN, 1.0, 0.0],
            vec![1e308, -1e308, 0.0],
        ] {
            check(std::slice::from_ref(&row));
            check(&[ordinary.clone(), row]);
        }
    }

    #[test]
    fn fused_loss_is_bit_identical_and_gradients_agree_with_the_scalar_engine() {
        let model = Gpt::init(Config::new(7, 2, 8, 2, 8).unwrap(), &mut ChaCha::seed(3));
        let doc = [6, 0, 1, 2, 3, 1, 0, 5, 4, 6];
        let (ls, gs) = loss_and_grads(&mut ScalarEngine::new(), &model, &doc);
        let (lf, gf) = loss_and_grads(&mut FusedEngine::new(), &model, &doc);
        assert_eq!(ls, lf);
        let max = gs.data().iter().fold(0.0f64, |m, g| m.max(g.abs()));
        for (i, (a, b)) in gs.data().iter().zip(gf.data()).enumerate() {
            assert!((a - b).abs() <= 1e-13 * max, "param {i}: scalar {a} fused {b}");
        }
    }
}
