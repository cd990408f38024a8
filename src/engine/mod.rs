//! The inference engine: the BERT classifier (the network training builds in candle), run
//! over a *packed* batch — every unit's tokens stacked into one `[rows, hidden]` matrix, no
//! padding.
//!
//! candle loads the tensors. Dense layers are one GEMM over all rows at once (query, key and
//! value fused into one), with weights packed at load for our f32 or int8 kernel; attention
//! runs per unit over its own tokens only, so padding costs nothing because there is none;
//! bias + GELU and bias + residual + layer norm are single fused passes ([`kernels`]).
//! The last layer computes keys and values for every row but everything else only for each
//! unit's first row, the one the head reads. Training keeps its own differentiable
//! network in candle.
//!
//! The engine knows nothing of model directories: it takes tensors, [`Dimensions`] and a
//! [`Precision`], and scores [`EncodedUnit`]s.

#[cfg(target_arch = "x86_64")]
mod amx;
#[cfg(target_arch = "x86_64")]
pub mod gemm_bf16;
mod gemm_f32;
mod gemm_int8;
pub mod kernels;

pub use gemm_f32::F32Matrix;
pub use gemm_int8::Int8Matrix;

use candle_core::Result;
use candle_nn::VarBuilder;
use kernels::NormParams;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Token ids of one unit, ready for the encoder (no padding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedUnit {
    pub ids: Vec<u32>,
    pub type_ids: Vec<u32>,
}

impl EncodedUnit {
    /// Number of tokens, special tokens included.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the unit has no tokens.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// How the engine stores dense-layer weights and multiplies by them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// float32 weights, packed once at load for our f32 GEMM.
    #[default]
    F32,
    /// 7-bit weights (per output channel) and activations (per row), integer GEMM.
    Int8,
}

/// The shape of a BERT encoder: what the engine needs from a model's `config.json`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dimensions {
    pub vocab_size: usize,
    pub max_positions: usize,
    pub type_vocab_size: usize,
    pub hidden: usize,
    pub intermediate: usize,
    pub layers: usize,
    pub heads: usize,
    pub layer_norm_eps: f64,
}

impl Dimensions {
    /// Size of one attention head.
    pub fn head_size(&self) -> usize {
        self.hidden / self.heads
    }
}

/// A dense layer's weights laid out for inference.
enum DenseWeights {
    /// Packed once at load for our f32 kernel.
    F32(F32Matrix),
    Int8(Int8Matrix),
}

struct Dense {
    weights: DenseWeights,
    bias: Vec<f32>,
    in_dim: usize,
}

impl Dense {
    /// Loads the layers named `prefixes` under `vb` and stacks them output-wise into one.
    fn load_stacked(
        vb: &VarBuilder,
        prefixes: &[&str],
        in_dim: usize,
        out_dim: usize,
        precision: Precision,
    ) -> Result<Self> {
        let mut weight = Vec::with_capacity(prefixes.len() * out_dim * in_dim);
        let mut bias = Vec::with_capacity(prefixes.len() * out_dim);
        for prefix in prefixes {
            let layer = vb.pp(*prefix);
            weight.extend(
                layer
                    .get((out_dim, in_dim), "weight")?
                    .flatten_all()?
                    .to_vec1::<f32>()?,
            );
            bias.extend(layer.get(out_dim, "bias")?.to_vec1::<f32>()?);
        }
        let out_dim = out_dim * prefixes.len();
        let weights = match precision {
            Precision::F32 => DenseWeights::F32(F32Matrix::pack(&weight, out_dim, in_dim)),
            Precision::Int8 => DenseWeights::Int8(Int8Matrix::quantize(&weight, out_dim, in_dim)),
        };
        Ok(Self {
            weights,
            bias,
            in_dim,
        })
    }

    fn load(
        vb: &VarBuilder,
        prefix: &str,
        in_dim: usize,
        out_dim: usize,
        precision: Precision,
    ) -> Result<Self> {
        Self::load_stacked(vb, &[prefix], in_dim, out_dim, precision)
    }

    /// `x·Wᵀ` without the bias (`x` is `[rows, in]`); the caller fuses the bias into what follows.
    fn matmul(&self, x: &[f32]) -> Vec<f32> {
        let rows = x.len() / self.in_dim;
        match &self.weights {
            DenseWeights::F32(matrix) => matrix.matmul(x, rows),
            DenseWeights::Int8(matrix) => matrix.matmul(x, rows),
        }
    }
}

/// A layer norm's weights.
struct Norm {
    gamma: Vec<f32>,
    beta: Vec<f32>,
    eps: f32,
}

impl Norm {
    fn load(vb: VarBuilder, size: usize, eps: f64) -> Result<Self> {
        Ok(Self {
            gamma: vb.get(size, "weight")?.to_vec1()?,
            beta: vb.get(size, "bias")?.to_vec1()?,
            eps: eps as f32,
        })
    }

    fn with_bias<'a>(&'a self, bias: &'a [f32]) -> NormParams<'a> {
        NormParams {
            bias,
            gamma: &self.gamma,
            beta: &self.beta,
            eps: self.eps,
        }
    }
}

/// What follows attention in a layer: output projection, residual + norm, feed-forward,
/// residual + norm.
struct Block {
    attention_out: Dense,
    attention_norm: Norm,
    intermediate: Dense,
    output: Dense,
    output_norm: Norm,
}

impl Block {
    fn load(dims: &Dimensions, vb: &VarBuilder, precision: Precision) -> Result<Self> {
        let (h, ff, eps) = (dims.hidden, dims.intermediate, dims.layer_norm_eps);
        let attention_output = vb.pp("attention").pp("output");
        Ok(Self {
            attention_out: Dense::load(&attention_output, "dense", h, h, precision)?,
            attention_norm: Norm::load(attention_output.pp("LayerNorm"), h, eps)?,
            intermediate: Dense::load(&vb.pp("intermediate"), "dense", h, ff, precision)?,
            output: Dense::load(&vb.pp("output"), "dense", ff, h, precision)?,
            output_norm: Norm::load(vb.pp("output").pp("LayerNorm"), h, eps)?,
        })
    }

    /// The layer's output rows from the attended values `context` and the layer's input
    /// rows `residual` (both `[rows, hidden]`).
    fn forward(&self, context: &[f32], residual: &[f32]) -> Vec<f32> {
        let mut attended = self.attention_out.matmul(context);
        kernels::bias_residual_norm(
            &mut attended,
            residual,
            &self.attention_norm.with_bias(&self.attention_out.bias),
        );
        let mut hidden = self.intermediate.matmul(&attended);
        kernels::bias_gelu(&mut hidden, &self.intermediate.bias);
        let mut out = self.output.matmul(&hidden);
        kernels::bias_residual_norm(
            &mut out,
            &attended,
            &self.output_norm.with_bias(&self.output.bias),
        );
        debug_assert_eq!(out.len(), residual.len());
        out
    }
}

/// A layer whose every output row is needed: query, key and value fused into one product.
struct Layer {
    qkv: Dense,
    block: Block,
}

impl Layer {
    fn load(dims: &Dimensions, vb: VarBuilder, precision: Precision) -> Result<Self> {
        let h = dims.hidden;
        Ok(Self {
            qkv: Dense::load_stacked(
                &vb.pp("attention").pp("self"),
                &["query", "key", "value"],
                h,
                h,
                precision,
            )?,
            block: Block::load(dims, &vb, precision)?,
        })
    }
}

/// The last layer, of which the head reads only each unit's first ([CLS]) row: keys and
/// values for every row, but the query, attention, and everything after it for first rows
/// only. Exact, and it skips about five sixths of the layer's work.
struct FirstRowLayer {
    query: Dense,
    key_value: Dense,
    block: Block,
}

impl FirstRowLayer {
    fn load(dims: &Dimensions, vb: VarBuilder, precision: Precision) -> Result<Self> {
        let h = dims.hidden;
        let attention = vb.pp("attention").pp("self");
        Ok(Self {
            query: Dense::load(&attention, "query", h, h, precision)?,
            key_value: Dense::load_stacked(&attention, &["key", "value"], h, h, precision)?,
            block: Block::load(dims, &vb, precision)?,
        })
    }
}

/// Most token rows one forward pass packs (see [`PackedBert::logits`]): 256 rows keep the
/// feed-forward activations (2 MB in f32) within a core's L2 cache. Measured on 1,024 CAPP-130
/// units with context at batch 8, 5 % less CPU time than 512; the same on plain units.
pub const MAX_PASS_ROWS: usize = 256;

/// BERT encoder + pooler + multi-label head over packed batches, for inference.
pub struct PackedBert {
    word: Vec<f32>,
    position: Vec<f32>,
    token_type: Vec<f32>,
    embedding_norm: Norm,
    /// All layers but the last.
    layers: Vec<Layer>,
    /// The last layer (none in a model without layers).
    last: Option<FirstRowLayer>,
    /// Pooler and classifier: tiny products on the first rows, always in f32.
    pooler: Dense,
    classifier: Dense,
    hidden: usize,
    heads: usize,
    head_size: usize,
    zero_bias: Vec<f32>,
}

impl PackedBert {
    /// Builds the network from `vb` (`bert.*` and `classifier.*` tensors, any float dtype).
    pub fn load(
        dims: &Dimensions,
        num_labels: usize,
        vb: VarBuilder,
        precision: Precision,
    ) -> Result<Self> {
        let h = dims.hidden;
        let bert = vb.pp("bert");
        let embeddings = bert.pp("embeddings");
        let table = |name: &str, rows: usize| -> Result<Vec<f32>> {
            embeddings
                .pp(name)
                .get((rows, h), "weight")?
                .flatten_all()?
                .to_vec1()
        };
        let layer = |i: usize| bert.pp("encoder").pp("layer").pp(i);
        let full_layers = dims.layers.saturating_sub(1);
        // Layers load (convert, quantize, pack) in parallel: at start-up the threads are idle.
        let layers = (0..full_layers)
            .into_par_iter()
            .map(|i| Layer::load(dims, layer(i), precision))
            .collect::<Result<Vec<_>>>()?;
        let last = match dims.layers {
            0 => None,
            n => Some(FirstRowLayer::load(dims, layer(n - 1), precision)?),
        };
        Ok(Self {
            word: table("word_embeddings", dims.vocab_size)?,
            position: table("position_embeddings", dims.max_positions)?,
            token_type: table("token_type_embeddings", dims.type_vocab_size)?,
            embedding_norm: Norm::load(embeddings.pp("LayerNorm"), h, dims.layer_norm_eps)?,
            layers,
            last,
            pooler: Dense::load(&bert.pp("pooler"), "dense", h, h, Precision::F32)?,
            classifier: Dense::load(&vb, "classifier", h, num_labels, Precision::F32)?,
            hidden: h,
            heads: dims.heads,
            head_size: dims.head_size(),
            zero_bias: vec![0.0; h],
        })
    }

    /// Logits `[units, labels]` of encoded units (any lengths; none padded).
    ///
    /// The units run as passes of whole units of at most [`MAX_PASS_ROWS`] rows, so a pass's
    /// activations stay in cache; the part that reads only each unit's first row (the last
    /// layer after attention, pooler, classifier) then runs once over all the units. Every
    /// row's arithmetic is its own, so a unit's logits do not depend on its companions.
    pub fn logits(&self, units: &[&EncodedUnit]) -> Vec<Vec<f32>> {
        let mut first = FirstRows::default();
        for pass in runs_within(units, |unit| unit.len(), MAX_PASS_ROWS) {
            self.encode_pass(pass, &mut first);
        }
        self.head(first)
    }

    /// Runs units in one pass up to the last layer's attention and appends, for each unit,
    /// its first row and (with a last layer) that row's attended values to `first`.
    fn encode_pass(&self, pass: &[&EncodedUnit], first: &mut FirstRows) {
        let lengths: Vec<usize> = pass.iter().map(|u| u.len()).collect();
        let mut x = self.embed(pass);
        for layer in &self.layers {
            x = self.layer_forward(layer, &x, &lengths);
        }
        let rows = first_rows(&x, &lengths, self.hidden);
        if let Some(last) = &self.last {
            first
                .context
                .extend(self.first_row_attention(last, &x, &rows, &lengths));
        }
        first.rows.extend(rows);
    }

    /// Logits `[units, labels]` from the units' first rows: the rest of the last layer, the
    /// pooler and the classifier.
    fn head(&self, first: FirstRows) -> Vec<Vec<f32>> {
        let cls = match &self.last {
            Some(last) => last.block.forward(&first.context, &first.rows),
            None => first.rows,
        };
        let mut pooled = self.pooler.matmul(&cls);
        add_bias(&mut pooled, &self.pooler.bias);
        pooled.iter_mut().for_each(|v| *v = v.tanh());
        let mut logits = self.classifier.matmul(&pooled);
        add_bias(&mut logits, &self.classifier.bias);
        logits
            .chunks_exact(self.classifier.bias.len())
            .map(<[f32]>::to_vec)
            .collect()
    }

    /// Word + position + token-type embeddings of every token, layer-normed: `[rows, hidden]`.
    fn embed(&self, batch: &[&EncodedUnit]) -> Vec<f32> {
        let h = self.hidden;
        let rows: usize = batch.iter().map(|u| u.len()).sum();
        let mut words = Vec::with_capacity(rows * h);
        let mut rest = Vec::with_capacity(rows * h);
        for unit in batch {
            for (position, (&id, &type_id)) in unit.ids.iter().zip(&unit.type_ids).enumerate() {
                let id = id as usize;
                words.extend_from_slice(&self.word[id * h..(id + 1) * h]);
                let pos = &self.position[position * h..(position + 1) * h];
                let typ = &self.token_type[type_id as usize * h..(type_id as usize + 1) * h];
                rest.extend(pos.iter().zip(typ).map(|(p, t)| p + t));
            }
        }
        kernels::bias_residual_norm(
            &mut words,
            &rest,
            &self.embedding_norm.with_bias(&self.zero_bias),
        );
        words
    }

    fn layer_forward(&self, layer: &Layer, x: &[f32], lengths: &[usize]) -> Vec<f32> {
        let mut qkv = layer.qkv.matmul(x);
        add_bias(&mut qkv, &layer.qkv.bias);
        let context = kernels::attention(&qkv, lengths, self.heads, self.head_size);
        layer.block.forward(&context, x)
    }

    /// The last layer's attended values at each unit's first row `first` (`[units, hidden]`),
    /// keys and values from all rows `x`.
    fn first_row_attention(
        &self,
        layer: &FirstRowLayer,
        x: &[f32],
        first: &[f32],
        lengths: &[usize],
    ) -> Vec<f32> {
        let mut query = layer.query.matmul(first);
        add_bias(&mut query, &layer.query.bias);
        let mut key_value = layer.key_value.matmul(x);
        add_bias(&mut key_value, &layer.key_value.bias);
        kernels::first_row_attention(&query, &key_value, lengths, self.heads, self.head_size)
    }
}

/// What the passes of [`PackedBert::logits`] leave for the head, one row per unit.
#[derive(Default)]
struct FirstRows {
    /// Each unit's first row entering the last layer (`[units, hidden]`).
    rows: Vec<f32>,
    /// The last layer's attended values at those rows (empty without layers).
    context: Vec<f32>,
}

/// The first row of each unit in packed rows `x`: `[units, hidden]`.
fn first_rows(x: &[f32], lengths: &[usize], hidden: usize) -> Vec<f32> {
    let mut rows = Vec::with_capacity(lengths.len() * hidden);
    let mut start = 0;
    for len in lengths {
        rows.extend_from_slice(&x[start * hidden..(start + 1) * hidden]);
        start += len;
    }
    rows
}

/// `items` cut into runs of consecutive items whose sizes add up to at most `limit` (an item
/// larger than `limit` is a run of its own).
fn runs_within<T>(items: &[T], size: impl Fn(&T) -> usize, limit: usize) -> Vec<&[T]> {
    let mut runs = Vec::new();
    let (mut start, mut total) = (0, 0);
    for (i, item) in items.iter().enumerate() {
        let size = size(item);
        if i > start && total + size > limit {
            runs.push(&items[start..i]);
            (start, total) = (i, 0);
        }
        total += size;
    }
    if start < items.len() {
        runs.push(&items[start..]);
    }
    runs
}

/// `x ← x + bias` for each row.
fn add_bias(x: &mut [f32], bias: &[f32]) {
    x.par_chunks_mut(bias.len() * 16).for_each(|chunk| {
        for row in chunk.chunks_exact_mut(bias.len()) {
            for (v, b) in row.iter_mut().zip(bias) {
                *v += b;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::runs_within;

    #[test]
    fn runs_stay_within_the_limit_and_keep_every_item_in_order() {
        let sizes = [3, 4, 2, 9, 1, 1, 5];
        let runs = runs_within(&sizes, |&s| s, 8);
        assert_eq!(runs, vec![&[3, 4][..], &[2], &[9], &[1, 1, 5]]);
        assert!(runs_within(&[] as &[usize], |&s| s, 8).is_empty());
    }
}
