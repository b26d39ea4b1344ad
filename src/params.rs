//! # Parameters: named matrices in one flat vector
//!
//! Everything a GPT knows is a few thousand numbers arranged as matrices: `wte`, `wpe`, `lm_head` and
//! six per layer. microgpt.py keeps them in a dictionary of lists of lists of `Value`s and flattens it
//! into one list for the optimizer. Here the flat vector is the storage: [`Params`] is one `Vec<f64>`
//! plus a [`Layout`] that names each matrix and says where it lives. A [`Matrix`] is a small `Copy`
//! handle (offset, rows, columns) into that vector.
//!
//! The flat layout gives every scalar a stable identity: index `i` is always the same weight,
//! `layer0.attn_wq[3][5]` say, in the parameters, in the gradients (which are a `Params` of the same
//! layout) and in the optimizer state. Whatever is keyed to a layout can check that it is handed
//! numbers of that layout, so state can never attach to the wrong weight.

use std::ops::Range;
use std::sync::Arc;

// ANCHOR: Matrix
/// Where a `rows × cols` matrix lives in a flat parameter vector, stored row after row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Matrix {
    offset: usize,
    rows: usize,
    cols: usize,
}
// ANCHOR_END: Matrix

impl Matrix {
    /// The number of rows (outputs of a linear layer, or entries of an embedding table).
    pub fn rows(self) -> usize {
        self.rows
    }

    /// The number of columns (inputs of a linear layer, or the embedding width).
    pub fn cols(self) -> usize {
        self.cols
    }

    /// The number of scalars in the matrix.
    pub fn len(self) -> usize {
        self.rows * self.cols
    }

    /// Whether the matrix has no entries.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// Where the matrix lives in the flat vector.
    pub fn range(self) -> Range<usize> {
        self.offset..self.offset + self.len()
    }

    /// Where row `r` lives in the flat vector.
    pub fn row_range(self, r: usize) -> Range<usize> {
        assert!(r < self.rows, "row {r} of a matrix with {} rows", self.rows);
        let start = self.offset + r * self.cols;
        start..start + self.cols
    }
}

/// The names, shapes and positions of all matrices, in storage order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    matrices: Vec<(String, Matrix)>,
}

impl Layout {
    /// An empty layout.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a `rows × cols` matrix called `name` and returns its handle.
    ///
    /// Panics if the layout would hold more than `usize::MAX` scalars, so that no two matrices can
    /// ever overlap: a [`Config`](crate::model::Config) keeps a model far below that.
    pub fn push(&mut self, name: impl Into<String>, rows: usize, cols: usize) -> Matrix {
        let end = rows.checked_mul(cols).and_then(|n| n.checked_add(self.len()));
        assert!(end.is_some(), "a {rows}x{cols} matrix after {} scalars overflows a layout", self.len());
        let matrix = Matrix { offset: self.len(), rows, cols };
        self.matrices.push((name.into(), matrix));
        matrix
    }

    /// The total number of scalars.
    pub fn len(&self) -> usize {
        self.matrices.last().map_or(0, |(_, m)| m.range().end)
    }

    /// Whether the layout has no scalars.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The matrices with their names, in storage order.
    pub fn matrices(&self) -> &[(String, Matrix)] {
        &self.matrices
    }

    /// The stable name of scalar `i`: its matrix, row and column, e.g. `("layer0.attn_wq", 3, 5)`.
    pub fn name_of(&self, i: usize) -> (&str, usize, usize) {
        let (name, m) = self
            .matrices
            .iter()
            .find(|(_, m)| m.range().contains(&i))
            .unwrap_or_else(|| panic!("parameter {i} is outside a layout of {}", self.len()));
        let k = i - m.offset;
        (name, k / m.cols, k % m.cols)
    }
}

// ANCHOR: Params
/// One number per scalar of a [`Layout`]: the weights themselves, or their gradients.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    layout: Arc<Layout>,
    data: Vec<f64>,
}
// ANCHOR_END: Params

impl Params {
    /// Values for every scalar of `layout`, in storage order.
    ///
    /// Panics if the lengths differ: the caller built both from the same layout.
    pub fn new(layout: Arc<Layout>, data: Vec<f64>) -> Self {
        assert_eq!(
            layout.len(),
            data.len(),
            "a layout of {} scalars given {} values",
            layout.len(),
            data.len()
        );
        Params { layout, data }
    }

    /// Zeros in the same layout: the shape of a gradient or of optimizer state.
    pub fn zeros_like(&self) -> Self {
        Params { layout: Arc::clone(&self.layout), data: vec![0.0; self.data.len()] }
    }

    /// The layout the values follow.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Whether `other` follows the same layout (the same names, shapes and positions).
    pub fn same_layout(&self, other: &Params) -> bool {
        Arc::ptr_eq(&self.layout, &other.layout) || self.layout == other.layout
    }

    /// All values in storage order.
    pub fn data(&self) -> &[f64] {
        &self.data
    }

    /// All values in storage order, to update in place.
    pub fn data_mut(&mut self) -> &mut [f64] {
        &mut self.data
    }

    /// The number of scalars.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether there are no scalars.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The values of a whole matrix, row after row.
    pub fn matrix(&self, m: Matrix) -> &[f64] {
        &self.data[m.range()]
    }

    /// The values of row `r` of matrix `m`.
    pub fn row(&self, m: Matrix, r: usize) -> &[f64] {
        &self.data[m.row_range(r)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_matrices() -> (Layout, Matrix, Matrix) {
        let mut layout = Layout::new();
        let a = layout.push("a", 2, 3);
        let b = layout.push("b", 4, 2);
        (layout, a, b)
    }

    #[test]
    fn matrices_are_stored_one_after_another() {
        let (layout, a, b) = two_matrices();
        assert_eq!(a.range(), 0..6);
        assert_eq!(b.range(), 6..14);
        assert_eq!(b.row_range(1), 8..10);
        assert_eq!(layout.len(), 14);
    }

    #[test]
    fn every_scalar_has_a_stable_name() {
        let (layout, _, _) = two_matrices();
        assert_eq!(layout.name_of(0), ("a", 0, 0));
        assert_eq!(layout.name_of(5), ("a", 1, 2));
        assert_eq!(layout.name_of(9), ("b", 1, 1));
    }

    #[test]
    fn zeros_like_keeps_the_layout() {
        let (layout, _, _) = two_matrices();
        let p = Params::new(Arc::new(layout), (0..14).map(f64::from).collect());
        let g = p.zeros_like();
        assert!(p.same_layout(&g));
        assert_eq!(g.data(), &[0.0; 14]);
    }

    #[test]
    #[should_panic(expected = "row 2 of a matrix with 2 rows")]
    fn a_row_past_the_end_is_a_bug() {
        let (_, a, _) = two_matrices();
        a.row_range(2);
    }
}
