//! Chapter 6's widget: the trained model's attention weights while it reads a name the reader
//! types, one map per head, from [`Gpt::attention_maps`](microgpt::model::Gpt::attention_maps),
//! which [`Sampler::attention`](crate::Sampler::attention) calls.

use wasm_bindgen::prelude::wasm_bindgen;

/// The attention weights of every layer and head over one input, and the input's tokens as labels.
#[wasm_bindgen]
pub struct AttentionMaps {
    labels: Vec<String>,
    /// `[layer][head][query position][key position]`; the query at position `t` has `t + 1` weights.
    maps: Vec<Vec<Vec<Vec<f64>>>>,
}

impl AttentionMaps {
    /// The maps of [`Gpt::attention_maps`](microgpt::model::Gpt::attention_maps) for the tokens
    /// written as `labels`.
    pub fn new(labels: Vec<String>, maps: Vec<Vec<Vec<Vec<f64>>>>) -> Self {
        AttentionMaps { labels, maps }
    }
}

#[wasm_bindgen]
impl AttentionMaps {
    /// The number of layers.
    pub fn layers(&self) -> usize {
        self.maps.len()
    }

    /// The number of heads in each layer.
    pub fn heads(&self) -> usize {
        self.maps.first().map_or(0, Vec::len)
    }

    /// The tokens the model read, one per line: `BOS`, then the characters.
    pub fn labels(&self) -> String {
        self.labels.join("\n")
    }

    /// The weights with which the token at position `query` looks at positions `0..=query`, in
    /// `head` of `layer`: they sum to 1. Empty for a layer, head or position the maps do not have.
    pub fn weights(&self, layer: usize, head: usize, query: usize) -> Vec<f64> {
        let row = self.maps.get(layer).and_then(|heads| heads.get(head)).and_then(|rows| rows.get(query));
        row.cloned().unwrap_or_default()
    }
}
