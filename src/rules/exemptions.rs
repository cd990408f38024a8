//! The `exemptions` rules (guideline 2.4).

use super::{any, seq};

/// The stock wording of consent-exception and cannot-respond list items (PIPL art. 13,
/// GB/T 35273 5.6 and 8.7). An item carrying one of these is an exemption whatever its lead says.
const EXEMPTION_ITEMS: &[&str] = &[
    "国家安全",
    "国防安全",
    "公共安全",
    "公共卫生",
    "犯罪侦查",
    "刑事侦查",
    "重大合法权益",
    "自行向社会公众公开",
    "自行公开",
    "合法公开披露",
    "合法的新闻报道",
    "政府信息公开",
    "新闻报道、舆论监督",
    "安全稳定运行所必需",
    "履行法律法规规定的义务",
    "履行法定职责",
    "法定义务所必需",
    "突发公共卫生事件",
    "主观恶意",
    "滥用权利",
    "商业秘密",
    "法律法规规定的其他情形",
    "法律、行政法规规定的其他情形",
];

/// `exemptions` (2.4, H10, H11, H13, H17–H19): any of
///
/// - E1 acting without consent: 不征得, 无需征得, 无须征得, 不需要征得, 无需…同意, 豁免, 同意的例外,
///   or a stock exemption item ([`EXEMPTION_ITEMS`]), or a legal basis other than consent
///   (法律义务, 履行合同…所必需);
/// - E2 refusing or limiting a request: 无法响应, 不予响应, 予以拒绝, 拒绝…请求, 可能无法…(删除|更正),
///   不会立即从备份…删除;
/// - E3 a carve-out in favour of law or authorities: 法律/法规/法定 … 除外 within one clause,
///   另有规定, 除非…法律, 法定情形, 法律…允许, or sharing/disclosure 根据…(司法|行政|政府|有权机关|
///   监管|国家机关|公安)…(要求|强制|命令|裁定|指令) ([`authority_demand`]);
/// - E4 a liability disclaimer: 不承担…责任, 不对…承担…责任, 免责, 不负责, 概不负责.
///
/// Not matched on purpose: consent-based exceptions (除非获取您的明确同意), the user's refusal
/// consequences (您将无法使用).
pub(super) fn exemptions(t: &str) -> bool {
    let e1 = any(
        t,
        &[
            "不征得",
            "无需征得",
            "无须征得",
            "不需要征得",
            "豁免",
            "同意的例外",
            "同意之例外",
        ],
    ) || seq(t, &["无需", "同意"], 10)
        || seq(t, &["无须", "同意"], 10)
        || any(t, EXEMPTION_ITEMS)
        || t.contains("法律义务")
        || ((seq(t, &["履行合同", "所必需"], 6) || seq(t, &["合同", "所必需"], 4))
            && !t.contains("目的"));
    let e2 = any(t, &["无法响应", "不予响应", "予以拒绝", "不会立即从备份"])
        || seq(t, &["拒绝", "请求"], 6)
        || seq(t, &["可能无法", "删除"], 10)
        || seq(t, &["可能无法", "更正"], 10)
        || seq(t, &["备份", "不会立即"], 10)
        || seq(t, &["不会立即", "备份"], 10);
    let e3 = seq(t, &["法律", "除外"], 30)
        || seq(t, &["法规", "除外"], 30)
        || seq(t, &["法定", "除外"], 30)
        || t.contains("另有规定")
        || seq(t, &["除非", "法律"], 15)
        || seq(t, &["除非", "法规"], 15)
        || t.contains("法定情形")
        || (seq(t, &["法律", "允许"], 6) && !t.contains("允许的方式"))
        || seq(t, &["法律", "许可"], 6)
        || authority_demand(t);
    let e4 = seq(t, &["不承担", "责任"], 12)
        || seq(t, &["不对", "承担", "责任"], 40)
        || any(t, &["免责", "不负责", "概不负责", "不负任何责任"]);
    e1 || e2 || e3 || e4
}

/// E3: sharing or disclosure because law, a court, an agency or the government demands it
/// (「根据法律法规规定…或按行政、司法机关依法提出的要求…对外共享」).
fn authority_demand(t: &str) -> bool {
    let demand = ["要求", "强制", "命令", "裁定", "指令"];
    let who = [
        "司法",
        "行政",
        "政府",
        "有权机关",
        "监管",
        "国家机关",
        "公安",
    ];
    let basis = ["根据", "依据", "依照", "按照", "基于", "应"];
    basis.iter().any(|b| {
        who.iter()
            .any(|w| demand.iter().any(|d| seq(t, &[b, w, d], 25)))
    }) && any(
        t,
        &["共享", "披露", "提供给", "对外提供", "公开", "转让", "报送"],
    )
}

/// H1/H11/H13: a lead or heading that introduces a list of exemption cases (consent exceptions,
/// cannot-respond lists, 依法豁免), whose items all inherit `exemptions`.
pub(super) fn announces_exemption_list(c: &str) -> bool {
    any(
        c,
        &[
            "不征得",
            "无需征得",
            "无须征得",
            "不需要征得",
            "同意的例外",
            "同意之例外",
            "豁免",
            "无法响应",
            "不予响应",
        ],
    ) || seq(c, &["无需", "同意"], 10)
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{has, labels};
    use crate::labels::Label;
    use crate::rules::rule_labels;

    #[test]
    fn exemptions_positive() {
        let lead = "征得授权同意的例外:根据相关法律法规的规定,在以下情形中,我们可以在不征得您的授权同意的情况下收集、使用一些必要的个人信息:";
        assert_eq!(labels(lead, ""), ["collection", "exemptions"]);
        assert_eq!(
            labels("(d) 与刑事侦查、起诉、审判和判决执行等直接相关的;", lead),
            ["collection", "exemptions"]
        );
        let cannot = "在以下情形中,按照法律法规要求,我们将无法响应您的请求:";
        assert_eq!(labels(cannot, ""), ["exemptions", "rights"]);
        // an item without stock wording inherits exemptions + rights from its lead (H13)
        assert_eq!(
            labels(
                "5. 响应您的请求将导致您或其他个人、组织的合法权益受到严重损害的;",
                cannot
            ),
            ["exemptions", "rights"]
        );
        assert!(has(
            "我们不参与且不对您与第三方之间因个人信息保护等发生的纠纷承担任何责任。",
            "",
            Label::Exemptions
        ));
        assert!(has("当您注销账号后,我们将停止为您提供服务,并删除您的个人信息或对其进行匿名化处理,但法律法规另有规定的除外。", "", Label::Exemptions));
        assert!(has("2. 在法定情形下的共享:我们可能会根据法律法规规定、诉讼争议解决需要,或按行政、司法机关依法提出的要求,对外共享您的个人信息。", "我们不会与石医生服务提供者以外的公司、组织和个人共享您的个人信息,但以下情况除外:", Label::Exemptions));
        // seeds/004: an item whose lead was lost, under the 豁免 heading
        assert!(has("b.为履行法定职责或者法定义务所必需;", "3.数据使用过程中涉及的合作方以及转移、公开个人信息\n3.4依法豁免征得同意提供、公开的个人信息", Label::Exemptions));
        assert!(has("对于那些无端重复、需要过多技术手段(例如,需要开发新系统或从根本上改变现行惯例)、给他人合法权益带来风险或者非常不切实际(例如,涉及备份磁带上存放的信息)的请求,我们可能会予以拒绝。", "", Label::Exemptions));
    }

    #[test]
    fn exemptions_negative() {
        // CAPP rw_62 id 58897: a legal requirement to collect is not a carve-out
        assert!(!has("（2）你在申请开通上述轻颜相机创作者权限和/或使用创作者身份认证相关服务时，根据法律法规、安全保障要求，你需要提供真实身份信息（真实姓名、身份证号码、电话号码等）完成线上或线下实名认证。", "", Label::Exemptions));
        // CAPP rw_63 id 59366: a policy-change notice; 「法律允许的方式」 is not a carve-out (H20)
        assert!(rule_labels("如果隐私政策发生重大变更（例如处理目的或处理方式发生改变），我们还会根据适用法律规定在隐私政策生效前进行公示并通过发送消息、电子邮件或其他适用法律允许的方式向您告知相关修改。", "").is_empty());
        // CAPP rw_60 id 58306: contract necessity as a purpose, not as a no-consent ground
        assert!(!has("C.,物流服务提供方：出于履行您与我们订立的购买、使用耐克产品及服务的合同所必需之目的，为您寄送物品的，我们将委托第三方仓储、物流和服务供应商为您提供物流服务", "", Label::Exemptions));
        // a section title right after a cannot-respond list is not its last item (H7)
        assert!(rule_labels(
            "5、我们如何存储和保护个人信息",
            "在以下情形中,按照法律法规要求,我们将无法响应您的请求:"
        )
        .is_empty());
        // consent-based exception (H10)
        assert!(!has(
            "除非获取您的明确同意,我们不会将您的个人信息转让给任何公司、组织或个人。",
            "",
            Label::Exemptions
        ));
        // lead of a "we won't share except" list is sharing only; consent item stays sharing only
        let lead =
            "我们不会与石医生服务提供者以外的公司、组织和个人共享您的个人信息,但以下情况除外:";
        assert_eq!(labels(lead, ""), ["sharing"]);
        assert_eq!(
            labels(
                "1. 在获取明确同意的情况下共享:获得您的明确同意后,我们会与其他方共享您的个人信息。",
                lead
            ),
            ["sharing"]
        );
        // consequence of the user's own refusal (2.4 "Not exemptions")
        assert!(!has("这些信息属于个人敏感信息,您可以拒绝提供,但您将可能无法使用提现功能,但不影响其他功能与服务的正常使用。", "", Label::Exemptions));
        // the operator accepting liability
        assert!(!has("如果我们的物理、技术、或管理防护设施遭到破坏,导致信息被非授权访问、公开披露、篡改、或毁坏,导致您的合法权益受损,我们将承担相应的法律责任。", "", Label::Exemptions));
        // a rights lead's carve-out is not inherited by its items (H2)
        let lead = "您有权访问您的个人信息,法律法规规定的例外情况除外。如果您想行使数据访问权,可以通过以下方式自行访问:";
        assert!(has(lead, "", Label::Exemptions));
        assert_eq!(labels("账号信息——如果您希望访问或编辑您的账号中的个人资料信息、更改您的密码、添加安全信息等,您可以在登录后,通过访问【我的】-【设置】页面执行此类操作。", lead), ["rights"]);
    }
}
