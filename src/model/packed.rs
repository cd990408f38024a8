//! The inference network: the same BERT classifier as [`super::BertClassifier`], run over a
//! *packed* batch — every unit's tokens stacked into one `[rows, hidden]` matrix, no padding.
//!
//! candle loads the tensors. Dense layers are one GEMM over all rows at once (query, key and
//! value fused into one), with weights packed at load for our f32 or int8 kernel; attention runs
//! per unit over its own tokens only, so padding costs nothing because there is none; bias +
//! GELU and bias + residual + layer norm are single fused passes ([`super::kernels`]). Training
//! keeps the differentiable [`super::BertClassifier`].

use super::config::{BertConfig, Precision};
use super::encode::EncodedUnit;
use super::kernels::{self, NormParams};
use super::packed_f32::F32Matrix;
use super::quantized::Int8Matrix;
use candle_core::{Device, Result, Tensor};
use candle_nn::VarBuilder;
use rayon::prelude::*;

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
    out_dim: usize,
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
        let mut weights = Vec::new();
        let mut bias = Vec::new();
        for prefix in prefixes {
            weights.push(vb.pp(*prefix).get((out_dim, in_dim), "weight")?);
            bias.extend(vb.pp(*prefix).get(out_dim, "bias")?.to_vec1::<f32>()?);
        }
        let weight = Tensor::cat(&weights, 0)?;
        let out_dim = out_dim * prefixes.len();
        let weights = match precision {
            Precision::F32 => DenseWeights::F32(F32Matrix::pack(
                &weight.flatten_all()?.to_vec1()?,
                out_dim,
                in_dim,
            )),
            Precision::Int8 => DenseWeights::Int8(Int8Matrix::quantize(
                &weight.flatten_all()?.to_vec1()?,
                out_dim,
                in_dim,
            )),
        };
        Ok(Self {
            weights,
            bias,
            in_dim,
            out_dim,
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

struct Layer {
    qkv: Dense,
    attention_out: Dense,
    attention_norm: Norm,
    intermediate: Dense,
    output: Dense,
    output_norm: Norm,
}

impl Layer {
    fn load(config: &BertConfig, vb: VarBuilder, precision: Precision) -> Result<Self> {
        let (h, ff, eps) = (
            config.hidden_size,
            config.intermediate_size,
            config.layer_norm_eps,
        );
        let attention = vb.pp("attention");
        Ok(Self {
            qkv: Dense::load_stacked(
                &attention.pp("self"),
                &["query", "key", "value"],
                h,
                h,
                precision,
            )?,
            attention_out: Dense::load(&attention.pp("output"), "dense", h, h, precision)?,
            attention_norm: Norm::load(attention.pp("output").pp("LayerNorm"), h, eps)?,
            intermediate: Dense::load(&vb.pp("intermediate"), "dense", h, ff, precision)?,
            output: Dense::load(&vb.pp("output"), "dense", ff, h, precision)?,
            output_norm: Norm::load(vb.pp("output").pp("LayerNorm"), h, eps)?,
        })
    }
}

/// BERT encoder + pooler + multi-label head over packed batches, for inference.
pub struct PackedBert {
    word: Vec<f32>,
    position: Vec<f32>,
    token_type: Vec<f32>,
    embedding_norm: Norm,
    layers: Vec<Layer>,
    pooler: Tensor,
    pooler_bias: Tensor,
    classifier: Tensor,
    classifier_bias: Tensor,
    hidden: usize,
    heads: usize,
    head_size: usize,
    zero_bias: Vec<f32>,
}

impl PackedBert {
    /// Builds the network from `vb` (`bert.*` and `classifier.*` tensors, any float dtype).
    pub fn load(
        config: &BertConfig,
        num_labels: usize,
        vb: VarBuilder,
        precision: Precision,
    ) -> Result<Self> {
        let h = config.hidden_size;
        let bert = vb.pp("bert");
        let embeddings = bert.pp("embeddings");
        let table = |name: &str, rows: usize| -> Result<Vec<f32>> {
            embeddings
                .pp(name)
                .get((rows, h), "weight")?
                .flatten_all()?
                .to_vec1()
        };
        let layers = (0..config.num_hidden_layers)
            .map(|i| Layer::load(config, bert.pp("encoder").pp("layer").pp(i), precision))
            .collect::<Result<Vec<_>>>()?;
        let pooler = bert.pp("pooler").pp("dense");
        let classifier = vb.pp("classifier");
        Ok(Self {
            word: table("word_embeddings", config.vocab_size)?,
            position: table("position_embeddings", config.max_position_embeddings)?,
            token_type: table("token_type_embeddings", config.type_vocab_size)?,
            embedding_norm: Norm::load(embeddings.pp("LayerNorm"), h, config.layer_norm_eps)?,
            layers,
            pooler: pooler.get((h, h), "weight")?.t()?.contiguous()?,
            pooler_bias: pooler.get(h, "bias")?,
            classifier: classifier
                .get((num_labels, h), "weight")?
                .t()?
                .contiguous()?,
            classifier_bias: classifier.get(num_labels, "bias")?,
            hidden: h,
            heads: config.num_attention_heads,
            head_size: config.head_size(),
            zero_bias: vec![0.0; h],
        })
    }

    /// Logits `[units, labels]` of a batch of encoded units (any lengths; none padded).
    pub fn logits(&self, batch: &[&EncodedUnit]) -> Result<Vec<Vec<f32>>> {
        let lengths: Vec<usize> = batch.iter().map(|u| u.len()).collect();
        let mut x = self.embed(batch);
        for layer in &self.layers {
            x = self.layer_forward(layer, &x, &lengths);
        }
        // The [CLS] row of each unit: its first.
        let h = self.hidden;
        let mut cls = Vec::with_capacity(batch.len() * h);
        let mut start = 0;
        for len in &lengths {
            cls.extend_from_slice(&x[start * h..(start + 1) * h]);
            start += len;
        }
        let cls = Tensor::from_vec(cls, (batch.len(), h), &Device::Cpu)?;
        let pooled = cls
            .matmul(&self.pooler)?
            .broadcast_add(&self.pooler_bias)?
            .tanh()?;
        pooled
            .matmul(&self.classifier)?
            .broadcast_add(&self.classifier_bias)?
            .to_vec2()
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
        let mut attended = layer.attention_out.matmul(&context);
        kernels::bias_residual_norm(
            &mut attended,
            x,
            &layer.attention_norm.with_bias(&layer.attention_out.bias),
        );
        let mut hidden = layer.intermediate.matmul(&attended);
        kernels::bias_gelu(&mut hidden, &layer.intermediate.bias);
        let mut out = layer.output.matmul(&hidden);
        kernels::bias_residual_norm(
            &mut out,
            &attended,
            &layer.output_norm.with_bias(&layer.output.bias),
        );
        debug_assert_eq!(out.len(), x.len());
        debug_assert_eq!(layer.output.out_dim, self.hidden);
        out
    }
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
