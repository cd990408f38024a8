//! The `sharing` rules (guideline 2.2).

use super::{any, seq};

/// `sharing`: personal information goes to anyone other than the operator (2.2, H10, H14, H16).
///
/// - S1 sharing verbs: 共享 (minus 授权共享的, which is data coming *in*), 委托…处理, 转让,
///   公开披露, 披露, 对外提供, 提供给, 传输至/给, 发送给, 同步给.
/// - S2 providing to a named recipient: 向 + 第三方/合作/关联/机构/服务商/供应商/机关 + 提供.
/// - S3 cross-border: 出境, 跨境, 境外, 全球范围.
/// - S4 third-party SDKs or services collecting: sdk/第三方 near 收集/获取/使用目的/个人信息.
pub(super) fn sharing(t: &str) -> bool {
    let t_clean = t.replace("授权共享的", "").replace("共享单车", "");
    let s1 = any(
        &t_clean,
        &[
            "共享",
            "转让",
            "公开披露",
            "披露",
            "对外提供",
            "提供给",
            "传输至",
            "传输给",
            "发送给",
            "同步给",
            "分享给第三方",
            "委托处理",
        ],
    ) || seq(t, &["委托", "处理"], 12);
    let recipients = [
        "第三方",
        "合作",
        "关联",
        "机构",
        "服务商",
        "供应商",
        "机关",
        "服务提供",
    ];
    let s2 = recipients.iter().any(|r| seq(t, &["向", r, "提供"], 15));
    let s3 = any(t, &["出境", "跨境", "境外", "全球范围"]);
    let s4 = (t.contains("sdk") || t.contains("第三方"))
        && any(t, &["收集", "获取", "使用目的", "个人信息类型", "采集"]);
    s1 || s2 || s3 || s4
}

#[cfg(test)]
mod tests {
    use super::super::test_util::has;
    use crate::labels::Label;

    #[test]
    fn sharing_positive() {
        assert!(has(
            "某些服务由授权合作伙伴提供,我们可能会委托授权合作伙伴处理您的某些个人信息。",
            "",
            Label::Sharing
        ));
        assert!(has("b.为了帮您和合作互联网医院完成多点执业劳务协议签约,我们需要将您的姓名、身份证号,以及您提供的手机号提供给我们的电子签约合作机构,以便其核验您的身份并为您提供电子签约服务。", "", Label::Sharing));
        assert!(has("如果发生数据的跨境传输,我们会单独向您以弹窗或邮件的方式告知您数据出境的目的、接收方等,并征得您的授权同意", "", Label::Sharing));
        // SDK list row inherits sharing from its lead (H14)
        let lead = "(2)第三方SDK服务商。为了向您提供更完善的服务,我们的应用中集成了第三方服务商的SDK,这些SDK可能会收集和使用您的个人信息。以下是我们集成的主要SDK及其使用说明:";
        assert!(has(
            "使用目的:为实现视频直播功能,提供视频推流、拉流等直播能力。",
            lead,
            Label::Sharing
        ));
    }

    #[test]
    fn sharing_negative() {
        // seeds/000: collection of photos, nothing leaves the operator
        assert!(!has(
            "您可在开启相册权限后使用该功能上传您的照片/图片、发布信息、分享内容。",
            "",
            Label::Sharing
        ));
        // seeds/000: contact line (H8)
        assert!(!has("客服电话:400-021-0771", "如您对本隐私政策或您个人信息的相关事宜有任何问题、意见或建议,请通过以下方式与我们联系:", Label::Sharing));
        // seeds/000: security measures
        assert!(!has(
            "我们会采取一切合理可行的措施,确保未收集无关的个人信息。",
            "",
            Label::Sharing
        ));
    }
}
