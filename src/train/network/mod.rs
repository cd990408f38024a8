//! A BERT encoder with a multi-label classification head, over candle.
//!
//! Tensor names follow Hugging Face `BertForSequenceClassification` (`bert.*`, `classifier.*`),
//! so weights move between privclause and `transformers` unchanged. This is the training
//! network: dense layers with bf16 or f32 products ([`Products`]), fused GELU, layer norm,
//! masked softmax and dropout ([`fused`]), dropout seeded. Labeling (and training's dev passes) run the same weights through
//! [`crate::engine::PackedBert`].

mod fused;
mod matmul;

pub use matmul::Products;

use crate::model::{BertConfig, EncodedUnit};
use candle_core::Device;
use candle_core::{DType, Module, Result, Tensor};
use candle_nn::{embedding, Embedding, VarBuilder};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use std::sync::Mutex;

/// A dense layer `x·Wᵀ + b` that flattens leading dimensions into one matrix product, so
/// both the forward pass and its gradient are single large GEMMs (a broadcast weight would
/// make the backward pass one small GEMM per batch item plus a reduction).
#[derive(Debug, Clone)]
struct Linear {
    weight: Tensor,
    bias: Tensor,
    products: Products,
}

fn linear(in_dim: usize, out_dim: usize, products: Products, vb: VarBuilder) -> Result<Linear> {
    let inner = candle_nn::linear(in_dim, out_dim, vb)?;
    Ok(Linear {
        weight: inner.weight().clone(),
        bias: inner.bias().expect("linear has a bias").clone(),
        products,
    })
}

impl Module for Linear {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        matmul::linear(xs, &self.weight, &self.bias, self.products)
    }
}

/// Layer normalisation with weight and bias.
#[derive(Debug, Clone)]
struct LayerNorm {
    weight: Tensor,
    bias: Tensor,
    eps: f32,
}

impl LayerNorm {
    fn load(size: usize, eps: f64, vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            weight: vb.get_with_hints(size, "weight", candle_nn::Init::Const(1.0))?,
            bias: vb.get_with_hints(size, "bias", candle_nn::Init::Const(0.0))?,
            eps: eps as f32,
        })
    }

    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        fused::layer_norm(xs, &self.weight, &self.bias, self.eps)
    }
}

/// Mask values drawn from one seed.
const MASK_CHUNK: usize = 16_384;

/// Dropout with its own seeded generator (candle's CPU generator cannot be seeded), so that
/// one seed gives the same masks in every run.
struct Dropout {
    rng: Mutex<StdRng>,
}

impl Dropout {
    fn new(seed: u64) -> Self {
        Self {
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
        }
    }

    fn apply(&self, xs: &Tensor, p: f64) -> Result<Tensor> {
        if p <= 0.0 {
            return Ok(xs.clone());
        }
        let keep = 1.0 - p as f32;
        let scale = 1.0 / keep;
        // One seed per chunk from the layer's generator, so that the mask is drawn in
        // parallel and still repeats exactly.
        let mut mask = vec![0f32; xs.elem_count()];
        let seeds: Vec<u64> = {
            let mut rng = self.rng.lock().expect("dropout rng");
            (0..mask.len().div_ceil(MASK_CHUNK))
                .map(|_| rng.random())
                .collect()
        };
        mask.par_chunks_mut(MASK_CHUNK)
            .zip(&seeds)
            .for_each(|(chunk, &seed)| {
                let mut rng = StdRng::seed_from_u64(seed);
                for factor in chunk {
                    *factor = if rng.random::<f32>() < keep {
                        scale
                    } else {
                        0.0
                    };
                }
            });
        fused::scale_elementwise(xs, mask.into())
    }
}

struct Embeddings {
    word: Embedding,
    position: Embedding,
    token_type: Embedding,
    norm: LayerNorm,
    dropout: f64,
}

impl Embeddings {
    fn load(config: &BertConfig, vb: VarBuilder) -> Result<Self> {
        let h = config.hidden_size;
        Ok(Self {
            word: embedding(config.vocab_size, h, vb.pp("word_embeddings"))?,
            position: embedding(
                config.max_position_embeddings,
                h,
                vb.pp("position_embeddings"),
            )?,
            token_type: embedding(config.type_vocab_size, h, vb.pp("token_type_embeddings"))?,
            norm: LayerNorm::load(h, config.layer_norm_eps, vb.pp("LayerNorm"))?,
            dropout: config.hidden_dropout_prob,
        })
    }

    fn forward(&self, ids: &Tensor, type_ids: &Tensor, drop: &Dropout) -> Result<Tensor> {
        let seq_len = ids.dim(1)?;
        let positions = Tensor::arange(0u32, seq_len as u32, ids.device())?;
        let xs = self
            .word
            .forward(ids)?
            .add(&self.token_type.forward(type_ids)?)?
            .broadcast_add(&self.position.forward(&positions)?)?;
        drop.apply(&self.norm.forward(&xs)?, self.dropout)
    }
}

struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
    heads: usize,
    head_size: usize,
    attention_dropout: f64,
    hidden_dropout: f64,
}

impl Layer {
    fn load(config: &BertConfig, products: Products, vb: VarBuilder) -> Result<Self> {
        let h = config.hidden_size;
        let eps = config.layer_norm_eps;
        let linear = |i, o, vb| linear(i, o, products, vb);
        let attention = vb.pp("attention");
        Ok(Self {
            query: linear(h, h, attention.pp("self").pp("query"))?,
            key: linear(h, h, attention.pp("self").pp("key"))?,
            value: linear(h, h, attention.pp("self").pp("value"))?,
            attention_out: linear(h, h, attention.pp("output").pp("dense"))?,
            attention_norm: LayerNorm::load(h, eps, attention.pp("output").pp("LayerNorm"))?,
            intermediate: linear(
                h,
                config.intermediate_size,
                vb.pp("intermediate").pp("dense"),
            )?,
            output: linear(config.intermediate_size, h, vb.pp("output").pp("dense"))?,
            output_norm: LayerNorm::load(h, eps, vb.pp("output").pp("LayerNorm"))?,
            heads: config.num_attention_heads,
            head_size: config.head_size(),
            attention_dropout: config.attention_probs_dropout_prob,
            hidden_dropout: config.hidden_dropout_prob,
        })
    }

    /// `xs`: `[batch, seq, hidden]`; `mask`: additive, `[batch, seq]`. With
    /// `first_row_only`, returns only each sequence's first row, `[batch, 1, hidden]`: every
    /// row still serves as key and value, but queries and all that follows attention are
    /// computed for the first row alone (what the last layer owes the head).
    fn forward(
        &self,
        xs: &Tensor,
        mask: &Tensor,
        drop: &Dropout,
        first_row_only: bool,
    ) -> Result<Tensor> {
        let (b, t, _) = xs.dims3()?;
        let split_heads = |x: Tensor, rows: usize| -> Result<Tensor> {
            x.reshape((b, rows, self.heads, self.head_size))?
                .transpose(1, 2)?
                .contiguous()
        };
        let residual = if first_row_only {
            xs.narrow(1, 0, 1)?
        } else {
            xs.clone()
        };
        let rows = residual.dim(1)?;
        let q = split_heads(self.query.forward(&residual)?, rows)?;
        let k = split_heads(self.key.forward(xs)?, t)?;
        let v = split_heads(self.value.forward(xs)?, t)?;
        let scale = 1.0 / (self.head_size as f32).sqrt();
        let probs = fused::masked_softmax(&q.matmul(&k.t()?)?, mask, scale)?;
        let probs = drop.apply(&probs, self.attention_dropout)?;
        let context =
            probs
                .matmul(&v)?
                .transpose(1, 2)?
                .reshape((b, rows, self.heads * self.head_size))?;
        let attended = drop.apply(&self.attention_out.forward(&context)?, self.hidden_dropout)?;
        let xs = self.attention_norm.forward(&(attended + residual)?)?;
        let hidden = fused::gelu(&self.intermediate.forward(&xs)?)?;
        let out = drop.apply(&self.output.forward(&hidden)?, self.hidden_dropout)?;
        self.output_norm.forward(&(out + xs)?)
    }
}

/// BERT encoder, pooler and a linear multi-label head.
pub struct BertClassifier {
    embeddings: Embeddings,
    layers: Vec<Layer>,
    pooler: Linear,
    classifier: Linear,
    classifier_dropout: f64,
    dropout: Dropout,
}

/// Additive mask value for padded keys: large enough to zero their weight, small enough that
/// `exp` stays off the slow underflow path and `0 * mask` stays finite in any float type.
const MASKED: f64 = -1e4;

impl BertClassifier {
    /// Builds the model from `vb`, which holds `bert.*` and `classifier.*` tensors (or creates
    /// them, for a [`candle_nn::VarMap`]-backed builder), its dense layers computing with
    /// `products`.
    pub fn load(
        config: &BertConfig,
        num_labels: usize,
        products: Products,
        vb: VarBuilder,
    ) -> Result<Self> {
        let bert = vb.pp("bert");
        let layers = (0..config.num_hidden_layers)
            .map(|i| Layer::load(config, products, bert.pp("encoder").pp("layer").pp(i)))
            .collect::<Result<Vec<_>>>()?;
        let h = config.hidden_size;
        let linear = |i, o, vb| linear(i, o, products, vb);
        Ok(Self {
            embeddings: Embeddings::load(config, bert.pp("embeddings"))?,
            layers,
            pooler: linear(h, h, bert.pp("pooler").pp("dense"))?,
            classifier: linear(h, num_labels, vb.pp("classifier"))?,
            classifier_dropout: config.hidden_dropout_prob,
            dropout: Dropout::new(0),
        })
    }

    /// Stops gradients at the word embeddings (the largest tensor by far): they keep their
    /// pre-trained values, and training skips their gradient and optimizer update.
    pub fn freeze_word_embeddings(&mut self) {
        let table = self.embeddings.word.embeddings().detach();
        let hidden = table.dim(1).unwrap_or(0);
        self.embeddings.word = Embedding::new(table, hidden);
    }

    /// Restarts the dropout generator of training passes from `seed`.
    pub fn seed_dropout(&self, seed: u64) {
        *self.dropout.rng.lock().expect("dropout rng") = StdRng::seed_from_u64(seed);
    }

    /// Logits `[batch, labels]` for token ids `[batch, seq]` (u32), token type ids and a 0/1
    /// attention mask of the same shape, with dropout (a training pass).
    pub fn forward(
        &self,
        ids: &Tensor,
        type_ids: &Tensor,
        attention_mask: &Tensor,
    ) -> Result<Tensor> {
        ids.dims2()?;
        let mask = ((attention_mask.to_dtype(DType::F32)? - 1.0)? * -MASKED)?;
        let drop = &self.dropout;
        let mut xs = self.embeddings.forward(ids, type_ids, drop)?;
        // The head reads the first ([CLS]) row only, so the last layer computes only that row.
        let last = self.layers.len().saturating_sub(1);
        for (i, layer) in self.layers.iter().enumerate() {
            xs = layer.forward(&xs, &mask, drop, i == last)?;
        }
        let cls = xs.narrow(1, 0, 1)?.squeeze(1)?;
        let pooled = self.pooler.forward(&cls)?.tanh()?;
        let pooled = drop.apply(&pooled, self.classifier_dropout)?;
        self.classifier.forward(&pooled)
    }
}

/// Ids, type ids and attention mask tensors `[batch, longest]` of a batch, zero-padded.
pub fn batch_tensors(
    batch: &[&EncodedUnit],
    device: &Device,
) -> candle_core::Result<(Tensor, Tensor, Tensor)> {
    let width = batch.iter().map(|u| u.len()).max().unwrap_or(0);
    let (ids, type_ids, mask) = pad_batch(batch, width);
    let shape = (batch.len(), width);
    Ok((
        Tensor::from_vec(ids, shape, device)?,
        Tensor::from_vec(type_ids, shape, device)?,
        Tensor::from_vec(mask, shape, device)?,
    ))
}

/// Ids, type ids and 0/1 attention mask of a batch, each padded with zeros to `width`.
fn pad_batch(batch: &[&EncodedUnit], width: usize) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
    let n = batch.len() * width;
    let (mut ids, mut type_ids, mut mask) = (vec![0; n], vec![0; n], vec![0; n]);
    for (row, unit) in batch.iter().enumerate() {
        let at = row * width;
        ids[at..at + unit.len()].copy_from_slice(&unit.ids);
        type_ids[at..at + unit.len()].copy_from_slice(&unit.type_ids);
        mask[at..at + unit.len()].fill(1);
    }
    (ids, type_ids, mask)
}
