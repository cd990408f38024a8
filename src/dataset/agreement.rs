//! Agreement between two independent annotation passes over the same units.

use super::hand::PassPair;
use crate::labels::Label;
use serde::Serialize;

/// How two passes agree on one label.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LabelAgreement {
    pub label: Label,
    /// Units both passes labeled.
    pub units: usize,
    pub positives_first: usize,
    pub positives_second: usize,
    pub both: usize,
    /// F1 of one pass against the other (symmetric): `2·both / (positives₁ + positives₂)`.
    pub f1: f64,
    /// Cohen's kappa.
    pub kappa: f64,
}

/// Per-label agreement of the first and second pass over `pairs`.
pub fn pass_agreement(pairs: &[PassPair]) -> Vec<LabelAgreement> {
    Label::ALL
        .into_iter()
        .map(|label| {
            let units = pairs.len();
            let first = pairs.iter().filter(|p| p.first.contains(label)).count();
            let second = pairs.iter().filter(|p| p.second.contains(label)).count();
            let both = pairs
                .iter()
                .filter(|p| p.first.contains(label) && p.second.contains(label))
                .count();
            let neither = units + both - first - second;
            let f1 = if first + second == 0 {
                1.0
            } else {
                2.0 * both as f64 / (first + second) as f64
            };
            let kappa = if units == 0 {
                0.0
            } else {
                let n = units as f64;
                let observed = (both + neither) as f64 / n;
                let (p1, p2) = (first as f64 / n, second as f64 / n);
                let chance = p1 * p2 + (1.0 - p1) * (1.0 - p2);
                if chance >= 1.0 {
                    1.0
                } else {
                    (observed - chance) / (1.0 - chance)
                }
            };
            LabelAgreement {
                label,
                units,
                positives_first: first,
                positives_second: second,
                both,
                f1,
                kappa,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::LabelSet;

    fn set(labels: &[Label]) -> LabelSet {
        labels.iter().copied().collect()
    }

    #[test]
    fn agreement_counts_and_kappa() {
        let c = Label::Collection;
        let pairs = [
            PassPair {
                first: set(&[c]),
                second: set(&[c]),
            },
            PassPair {
                first: set(&[c]),
                second: set(&[]),
            },
            PassPair {
                first: set(&[]),
                second: set(&[]),
            },
            PassPair {
                first: set(&[]),
                second: set(&[]),
            },
        ];
        let collection = pass_agreement(&pairs)[c.index()];
        assert_eq!((collection.units, collection.both), (4, 1));
        assert!((collection.f1 - 2.0 / 3.0).abs() < 1e-9);
        // observed 0.75, chance 0.5·0.25 + 0.5·0.75 = 0.5 → kappa 0.5.
        assert!((collection.kappa - 0.5).abs() < 1e-9);
        let sharing = pass_agreement(&pairs)[Label::Sharing.index()];
        assert_eq!((sharing.f1, sharing.kappa), (1.0, 1.0));
    }
}
