//! The `sensitive` rules (guideline 2.3).

use super::{any, seq};

/// The closed v1 list of sensitive data types (table in guideline 2.3), as matched substrings.
const SENSITIVE_TYPES: &[&str] = &[
    // ID documents
    "身份证",
    "证件号码",
    "证件号",
    "护照",
    "军官证",
    "驾驶证",
    "社保卡",
    "港澳通行证",
    // biometrics
    "人脸",
    "面部",
    "面容",
    "指纹",
    "声纹",
    "虹膜",
    "掌纹",
    "生物识别",
    "活体检测",
    // bank, payment, property
    "银行卡",
    "银行账号",
    "银行账户",
    "银行帐号",
    "银行帐户",
    "信用卡",
    "支付账号",
    "支付账户",
    "支付帐号",
    "支付帐户",
    "金融账户",
    "金融帐户",
    "财产信息",
    "个人征信",
    "征信记录",
    "征信信息",
    "征信报告",
    "存款",
    // medical and health
    "病历",
    "病史",
    "疾病",
    "症状",
    "诊断信息",
    "诊断结果",
    "诊疗记录",
    "处方",
    "检查检验",
    "检验结果",
    "检查结果",
    "检查报告",
    "检验报告",
    "用药",
    "过敏史",
    "就诊记录",
    "就医记录",
    "医疗信息",
    "医疗健康",
    "健康信息",
    "健康状况",
    "健康数据",
    "健康生理",
    "生理信息",
    "体检",
    // precise location, tracks
    "行踪轨迹",
    "行踪",
    "精确位置",
    "精准位置",
    "精确定位",
    "精准定位",
    "gps",
    "位置信息",
    "地理位置",
    "定位信息",
    "位置权限",
    "定位权限",
    // minors under 14
    "儿童",
    "不满十四",
    "不满14",
    "未满14",
    "未满十四",
    "14周岁以下",
    "十四周岁以下",
    "14岁以下",
    // religion, specific identity
    "宗教信仰",
    "特定身份",
    "性取向",
    "犯罪记录",
    // communication content
    "通信内容",
    "通讯内容",
    "聊天记录",
    "聊天内容",
    "消息内容",
    "通话记录",
    "通信记录",
    "录音内容",
    "语音信息",
    // transaction records
    "交易记录",
    "交易信息",
    "消费记录",
    "支付记录",
    "交易流水",
    "银行流水",
    // the category itself
    "敏感信息",
    "敏感个人信息",
];

/// `sensitive`: the unit names a type from the closed list of guideline 2.3 ([`SENSITIVE_TYPES`];
/// H9, H15), or the category 敏感(个人)信息 itself. Online-banking product names (手机银行账户,
/// 电子银行账号, 银行卡业务) are removed first; 征信 is matched only as 个人征信/征信记录/征信信息/
/// 征信报告 (「特征信息」 contains it); 敏感权限 does not match. Known misses of the guideline: negated
/// mentions (「不涉及任何个人敏感信息」) and definitions phrased without 指 (「个人生物识别信息包括…」)
/// still match.
pub(super) fn sensitive(t: &str) -> bool {
    // Online-banking product names are not account data (「手机银行账户」, 「银行卡业务-资料修改」).
    let t = ["手机银行", "网上银行", "电子银行", "银行卡业务"]
        .iter()
        .fold(t.to_string(), |acc, p| acc.replace(p, ""));
    any(&t, SENSITIVE_TYPES)
}

/// A definition is sensitive only when it sets a rule for sensitive information (H5): bold
/// marking, encryption or separate consent, next to a sensitive type.
pub(super) fn sensitive_rule(t: &str) -> bool {
    sensitive(t)
        && any(
            t,
            &["粗体", "加粗", "加密", "单独同意", "单独征得", "显著标识"],
        )
}

/// H3: the lead says every listed item is sensitive.
pub(super) fn lead_declares_all_sensitive(lead: &str) -> bool {
    seq(lead, &["以下", "属于", "敏感"], 20)
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{has, labels};
    use crate::labels::Label;
    use crate::rules::rule_labels;

    #[test]
    fn sensitive_positive() {
        assert_eq!(
            labels(
                "在您提供服务并获得收益后,为了完成收益结算,您需要提供银行账号、开户行等信息。",
                ""
            ),
            ["collection", "sensitive"]
        );
        assert!(has("您需要向我们提供真实姓名和有效身份证件)的号码、生物识别特征(静态或动态的面部特征),以便于我们进行实名(实人)认证。", "", Label::Sensitive));
        assert!(has(
            "当您在石医生平台为患者开具处方时,您需要填写诊断信息、处方内容等医疗信息。",
            "",
            Label::Sensitive
        ));
        // CAPP rw_108 id 72751: security for children's data is still sensitive
        assert!(has(
            "腾讯会采取加密等技术措施存储儿童个人信息，确保信息安全。",
            "",
            Label::Sensitive
        ));
        // H5: a definition that sets the bold-marking rule
        assert_eq!(labels("个人敏感信息:指包括身份证件号码、个人生物识别信息、银行账号、财产信息、行踪轨迹、交易信息、14岁以下(含)儿童信息等的个人信息(我们将在本隐私权政策中对具体个人敏感信息以粗体进行显著标识)。", ""), ["sensitive"]);
    }

    #[test]
    fn sensitive_negative() {
        assert!(!has(
            "您可在开启相册权限后使用该功能上传您的照片/图片、发布信息、分享内容。",
            "",
            Label::Sensitive
        ));
        // 未成年人 without an under-14 qualifier (H15)
        assert!(!has("如您为未成年人,建议您请您的父母或监护人仔细阅读本隐私政策,并在征得您的父母或监护人同意的前提下使用我们的服务或向我们提供信息。", "", Label::Sensitive));
        // bold marking of clauses in general, no sensitive PI
        assert!(!has("请您在使用石医生各项服务或产品前,务必仔细阅读并透彻理解本政策,特别是以粗体标识的条款,您应重点阅读,在确认充分理解并同意后再开始使用。", "", Label::Sensitive));
        // definition of children sets no rule (H5)
        assert!(!has(
            "儿童:指不满十四周岁的未成年人。",
            "",
            Label::Sensitive
        ));
        // CAPP rw_37 id 49877: a mobile-banking account is not bank account data
        assert!(!has("手机号码：当您需要使用手机银行服务时，我行需要一直保存您的手机号码，以保证您正常使用该服务，当您注销手机银行账户后，我行将删除相应的信息；", "", Label::Sensitive));
        // CAPP rw_113 id 73756: 特征信息 contains 征信
        assert!(!has("我们使用此等信息来了解和分析趋势、管理网站、了解网站上的用户行为、改进我们的产品和服务，以及收集用户群的整体受众特征信息。", "", Label::Sensitive));
        // CAPP rw_54 id 56162: 短信内容的提示 is not message content being processed
        assert!(!has("如您不想接收我们的推送消息，您可通过【设置-消息设置】中关闭你拒绝接收的消息类型，或按照短信内容的提示退订推送功能，我们将会停止向您推送上述消息。", "", Label::Sensitive));
        // CAPP rw_97 id 69355: a heading (H7)
        assert!(rule_labels("儿童特别说明：", "").is_empty());
        // contacts list is not communication content
        assert!(!has(
            "3)通讯录权限用于:导入团队成员手机号码。",
            "",
            Label::Sensitive
        ));
    }
}
