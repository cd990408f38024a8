//! The `rights` rules (guideline 2.5).

use super::{any, seq};

/// `rights` (2.5, H8, H13, H21–H24): what the user can do about their information and how.
///
/// - R1 the user's entitlements: 您有权, 有权要求, 行使…权, 您的权利.
/// - R2 the user can act on their data: 您可以/您可/您也可以 followed within 40 chars by one of
///   访问, 查阅, 查询, 复制, 更正, 修改, 删除, 注销, 撤回, 收回, 关闭, 取消, 退订, 导出, 下载, 清除, 禁用,
///   管理, 投诉, 举报.
/// - R3 named rights actions: 注销 (…) 账号/帐号/账户/帐户, 撤回同意/授权, 收回同意/授权, 撤回…授权,
///   关闭个性化, 个性化…关闭, 退订, 提起诉讼, 向法院, 投诉, 举报 (not 投诉人: that is a third party).
/// - R4 request handling: 天内 / 个工作日内 near 回复/答复/处理/响应/反馈, 您的请求, 收取…费用,
///   验证…身份 near 请求.
/// - R5 switching off permissions or cookies: 关闭…权限, 取消…授权, cookie near 拒绝/禁用/清除/删除/管理.
pub(super) fn rights(t: &str) -> bool {
    let r1 =
        any(t, &["您有权", "有权要求", "您的权利", "个人信息权利"]) || seq(t, &["行使", "权"], 8);
    let verbs = [
        "访问", "查阅", "查询", "复制", "更正", "修改", "删除", "注销", "撤回", "收回", "关闭",
        "取消", "退订", "导出", "下载", "清除", "禁用", "管理", "投诉", "举报",
    ];
    let r2 = ["您可以", "您可", "您也可以", "你可以"]
        .iter()
        .any(|s| verbs.iter().any(|v| seq(t, &[s, v], 40)));
    let t_no_party = t.replace("投诉人", "");
    let r3 = any(
        &t_no_party,
        &[
            "注销账号",
            "注销帐号",
            "注销账户",
            "注销帐户",
            "注销您的",
            "撤回同意",
            "撤回授权",
            "收回同意",
            "收回授权",
            "撤回您的",
            "退订",
            "提起诉讼",
            "向法院",
            "投诉",
            "举报",
        ],
    ) || seq(t, &["撤回", "授权"], 10)
        || ["账号", "帐号", "账户", "帐户"]
            .iter()
            .any(|a| seq(t, &["注销", a], 8))
        || seq(t, &["关闭", "个性化"], 10)
        || seq(t, &["个性化", "关闭"], 20);
    let r4 = ["天内", "个工作日内", "日内"].iter().any(|d| {
        ["回复", "答复", "处理", "响应", "反馈"]
            .iter()
            .any(|v| seq(t, &[d, v], 15) || seq(t, &[v, d], 15))
    }) || any(t, &["您的请求", "您的申请"])
        || seq(t, &["收取", "费用"], 8)
        || seq(t, &["验证", "身份", "请求"], 30);
    let r5 = seq(t, &["关闭", "权限"], 8)
        || seq(t, &["取消", "授权"], 8)
        || ["拒绝", "禁用", "清除", "删除", "管理"]
            .iter()
            .any(|v| seq(t, &["cookie", v], 20) || seq(t, &[v, "cookie"], 20));
    r1 || r2 || r3 || r4 || r5
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{has, labels};
    use crate::labels::Label;
    use crate::rules::rule_labels;

    #[test]
    fn rights_positive() {
        assert!(has(
            "您随时可注销此前注册的账号,您可以通过以下方式自行操作:",
            "",
            Label::Rights
        ));
        assert!(has("您可以在【我的】-【设置】-【隐私】-【个人信息下载】对您的个人信息(例如【姓名、个人头像、执业医院、职称、科室、擅长、简介等】)进行复制。", "", Label::Rights));
        assert!(has("我们将在 30个工作日内对您的数据访问、更正、删除、撤回授权等请求进行初步审核,并通过电子邮件或电话通知告知受理结果。", "", Label::Rights));
        assert!(has("如果您不希望接收我们基于您的兴趣偏好为您推送相关个性化内容，可通过【我的】-【隐私设置】-【推荐设置】-【接收兴趣推荐】关闭个性化内容推荐。", "", Label::Rights));
        assert!(has("如果您对我们的回复不满意,特别是您认为我们的个人信息处理行为损害了您的合法权益,您还可以通过向被告所在地有管辖权的法院提起诉讼来寻求解决方案。", "", Label::Rights));
        // a deletion-request list item inherits rights (H1)
        assert_eq!(
            labels(
                "1. 如果我们处理个人信息的行为违反法律法规;",
                "在以下情形中,您可以向我们提出删除个人信息的请求:"
            ),
            ["rights"]
        );
    }

    #[test]
    fn rights_negative() {
        // refusing to provide at collection time is collection (H12)
        let t = "如果您不提供相关信息,您将无法享受我们提供的产品与/或服务。";
        assert!(!has(t, "", Label::Rights));
        // plain contact details (H8)
        assert!(rule_labels("电子邮件:service@dr-stone.cn", "如您对本隐私政策或您个人信息的相关事宜有任何问题、意见或建议,请通过以下方式与我们联系:").is_empty());
        // policy-update notice (H20)
        assert!(!has(
            "我们可能适时修订本政策的条款,该等修订构成本政策的一部分。",
            "",
            Label::Rights
        ));
    }
}
