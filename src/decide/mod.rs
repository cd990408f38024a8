//! Deciding a unit's labels from its five scores: the one place where per-label thresholds,
//! rule thresholds and the keyword rules' version meet. `label`, `eval`, `tune` and `train` all
//! decide through a [`Decider`]; [`tune`] finds the thresholds on the dev split.

pub mod tune;

use crate::labels::{Label, LabelSet, Scores};
use crate::model::{Calibration, ClassifierSettings, RuleThreshold};
use crate::rules::{rule_labels, RULES_VERSION};

/// Why a model's `privclause.json` cannot decide labels.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecideError {
    #[error("rule_thresholds without the rules_version they were tuned with")]
    MissingRulesVersion,
    #[error(
        "its rule thresholds were tuned with {0}, this build has {RULES_VERSION}; \
         re-tune them with `privclause tune --rule-thresholds`"
    )]
    OtherRulesVersion(String),
}

/// How scores become labels: a threshold per label and, for some labels, a [`RuleThreshold`]
/// that lets the keyword rules ([`crate::rules`]) vouch for a lower score.
#[derive(Debug, Clone, PartialEq)]
pub struct Decider {
    calibration: [Calibration; 5],
    thresholds: [f32; 5],
    rule_thresholds: [Option<RuleThreshold>; 5],
}

impl Decider {
    /// The decisions a model's settings describe; refuses rule thresholds tuned with other
    /// rules than this build's, or with no record of which.
    pub fn from_settings(settings: &ClassifierSettings) -> Result<Self, DecideError> {
        if !settings.rule_thresholds.is_empty() && settings.rules_version.is_none() {
            return Err(DecideError::MissingRulesVersion);
        }
        if let Some(version) = &settings.rules_version {
            if version != RULES_VERSION {
                return Err(DecideError::OtherRulesVersion(version.clone()));
            }
        }
        Ok(Self {
            calibration: Label::ALL.map(|label| settings.calibration(label)),
            thresholds: Label::ALL.map(|label| settings.threshold(label)),
            rule_thresholds: Label::ALL.map(|label| settings.rule_threshold(label)),
        })
    }

    /// One threshold for every label, the model deciding alone (`--threshold`).
    pub fn uniform(threshold: f32) -> Self {
        Self::from_thresholds([threshold; 5])
    }

    /// A threshold per label (in [`Label::ALL`] order), the model deciding alone.
    pub fn from_thresholds(thresholds: [f32; 5]) -> Self {
        Self {
            calibration: [Calibration::IDENTITY; 5],
            thresholds,
            rule_thresholds: [None; 5],
        }
    }

    /// The same plain thresholds without the rule thresholds: the model decides alone
    /// (`--model-only`).
    pub fn model_only(&self) -> Self {
        Self {
            calibration: self.calibration,
            thresholds: self.thresholds,
            rule_thresholds: [None; 5],
        }
    }

    /// Whether some label's decision consults the keyword rules.
    pub fn consults_rules(&self) -> bool {
        self.rule_thresholds.iter().any(Option::is_some)
    }

    /// The calibrated scores of a unit's raw model scores (in [`Label::ALL`] order).
    pub fn calibrate(&self, raw: [f32; 5]) -> [f32; 5] {
        std::array::from_fn(|i| self.calibration[i].apply(raw[i]))
    }

    /// A unit's labels and its rounded calibrated scores, from its raw scores (in
    /// [`Label::ALL`] order), its text and its context (which the rules read when a rule
    /// threshold needs them).
    pub fn decide(&self, raw: [f32; 5], text: &str, context: &str) -> (LabelSet, Scores) {
        let scores = Scores::rounded(self.calibrate(raw));
        let ruled = if self.consults_rules() {
            rule_labels(text, context)
        } else {
            LabelSet::EMPTY
        };
        let labels = self.labels(Label::ALL.map(|label| scores.get(label)), ruled);
        (labels, scores)
    }

    /// The labels of a unit with these `scores` (in [`Label::ALL`] order), `ruled` being the
    /// labels the rules give it (read only for labels with a rule threshold).
    pub fn labels(&self, scores: [f32; 5], ruled: LabelSet) -> LabelSet {
        Label::ALL
            .into_iter()
            .filter(|&label| {
                let score = scores[label.index()];
                match self.rule_thresholds[label.index()] {
                    Some(rule) => admits(rule, score, ruled.contains(label)),
                    None => score >= self.thresholds[label.index()],
                }
            })
            .collect()
    }
}

/// Whether a unit with this score gets a label decided by `rule`, `ruled` saying whether the
/// rules give it.
pub(crate) fn admits(rule: RuleThreshold, score: f32, ruled: bool) -> bool {
    score >= rule.alone || (ruled && score >= rule.with_rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings_with_rule(version: Option<&str>) -> ClassifierSettings {
        let mut settings = ClassifierSettings::default();
        settings.rule_thresholds.insert(
            Label::Sensitive,
            RuleThreshold {
                alone: 0.9,
                with_rule: 0.2,
            },
        );
        settings.rules_version = version.map(str::to_string);
        settings
    }

    #[test]
    fn rule_thresholds_apply_only_where_the_rules_agree() {
        let decider = Decider::from_settings(&settings_with_rule(Some(RULES_VERSION))).unwrap();
        assert!(decider.consults_rules());
        // 身份证 is on the rules' sensitive list; the second text names no sensitive type.
        let raw = [0.0, 0.0, 0.4, 0.0, 0.0];
        let (ruled, _) = decider.decide(raw, "我们会收集您的身份证号码", "");
        let (unruled, _) = decider.decide(raw, "我们会收集您的昵称", "");
        assert!(ruled.contains(Label::Sensitive));
        assert!(!unruled.contains(Label::Sensitive));
        assert!(!decider
            .model_only()
            .decide(raw, "我们会收集您的身份证号码", "")
            .0
            .contains(Label::Sensitive));
        assert!(decider
            .decide([0.95; 5], "x", "")
            .0
            .contains(Label::Sensitive));
    }

    #[test]
    fn plain_and_uniform_thresholds_decide_alone() {
        let mut settings = ClassifierSettings::default();
        settings.thresholds.insert(Label::Rights, 0.8);
        let decider = Decider::from_settings(&settings).unwrap();
        let raw = [0.5, 0.49, 0.0, 0.0, 0.79];
        let (labels, scores) = decider.decide(raw, "", "");
        assert_eq!(labels.iter().collect::<Vec<_>>(), vec![Label::Collection]);
        assert_eq!(scores.rights, 0.79);
        let (labels, _) = Decider::uniform(0.45).decide(raw, "", "");
        assert_eq!(labels.iter().count(), 3);
    }

    #[test]
    fn rule_thresholds_need_this_builds_rules() {
        assert_eq!(
            Decider::from_settings(&settings_with_rule(None)),
            Err(DecideError::MissingRulesVersion)
        );
        assert_eq!(
            Decider::from_settings(&settings_with_rule(Some("rules@v0"))),
            Err(DecideError::OtherRulesVersion("rules@v0".into()))
        );
    }
}
