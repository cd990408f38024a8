//! The `collection` rules (guideline 2.1).

use super::{any, seq};

/// `collection`: the operator collects, obtains, records or uses personal information, asks for a
/// device permission, or uses cookies and similar tracking (2.1, H12, H14, H22, H23).
///
/// - C1 collecting verbs: 收集, 采集, 获取您的, 读取, 接收并记录, 记录您的 (not 获取 alone: 获取服务).
/// - C2 the user provides data: 您需要提供, 需要您提供, 请您提供, 您需要填写, 您提供的…信息.
/// - C3 use of the user's information: 使用您的…信息, 将…信息用于/用作, 使用或整合.
/// - C4 device permissions: 调用/开启/申请/获取/访问/授予/使用 with 权限, a named permission
///   (相机, 摄像头, 麦克风, 相册, 通讯录, 日历, 存储, 位置, 定位) near 权限, or 调用 with 设备/传感器.
/// - C5 cookies and similar tracking: cookie, 网站信标, 像素标签, 同类技术.
pub(super) fn collection(t: &str) -> bool {
    // A unit that only tells the user how to switch something off is rights, not collection.
    // 「…收集和产生的个人信息」 names data, it does not state a practice (H6 storage sentences).
    let stripped = ["收集和产生的", "所收集的", "收集到的"]
        .iter()
        .fold(t.to_string(), |acc, p| acc.replace(p, ""));
    let t = stripped.as_str();
    let only_switch_off = seq(t, &["关闭", "权限"], 6) && !any(t, &["收集", "采集", "获取您"]);
    let c1 = any(
        t,
        &[
            "收集",
            "采集",
            "获取您",
            "读取",
            "接收并记录",
            "记录您",
            "自动记录",
            "获取的信息",
            "从第三方获取",
            "间接获取",
        ],
    );
    let c2 = any(
        t,
        &[
            "您需要提供",
            "需要您提供",
            "请您提供",
            "您需要填写",
            "您需要向我们提供",
            "向我们提供",
        ],
    ) || seq(t, &["您提供的", "信息"], 10);
    let c3 = seq(t, &["使用", "您的", "信息"], 12)
        || seq(t, &["将", "信息", "用于"], 20)
        || seq(t, &["信息", "用作"], 10)
        || t.contains("使用或整合");
    let c4 = any(t, &["调用", "开启", "申请", "获取", "访问", "授予", "使用"])
        && t.contains("权限")
        || [
            "相机",
            "摄像头",
            "麦克风",
            "相册",
            "通讯录",
            "日历",
            "存储",
            "位置",
            "定位",
        ]
        .iter()
        .any(|p| seq(t, &[p, "权限"], 6));
    let c4 = c4 || (t.contains("调用") && any(t, &["设备", "传感器"]));
    let c5 = any(
        t,
        &["cookie", "网站信标", "像素标签", "同类技术", "web beacon"],
    );
    c5 || ((c1 || c2 || c3 || c4) && !only_switch_off)
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{has, labels};
    use crate::labels::Label;
    use crate::rules::rule_labels;

    #[test]
    fn collection_positive() {
        // seeds/001
        assert!(has("（1）当您注册昭德心理医生版账号时，为了帮助您完成创建账号，保护您账号的安全并满足相关法律法规的网络实名制要求，我们会收集您的手机号码。", "", Label::Collection));
        // seeds/003, cookies (H22)
        assert!(has(
            "您使用我们的服务时,我们会在您的计算机或移动设备上存储名为Cookie的小数据文件。",
            "",
            Label::Collection
        ));
        // seeds/004, device sensors
        assert!(has("当您播放视频等内容时,为了适配你的设备状态,我们会调用设备的方向传感器、加速度传感器、陀螺仪传感器、重力传感器等设备传感器,以识别你的设备横竖屏状态。", "", Label::Collection));
        // CAPP rw_101 id 71115, permission
        assert!(has("◆,当您运行本游戏时，我们将需要获取您的存储权限，用于使应用程序在运行时对游戏资源进行必要的缓存和读取。", "", Label::Collection));
    }

    #[test]
    fn collection_negative() {
        // seeds/000, storage location (H6)
        assert!(rule_labels(
            "我们在中华人民共和国境内收集和产生的个人信息,将存储在中华人民共和国境内。",
            ""
        )
        .is_empty());
        // seeds/000, definition (H5)
        assert_eq!(labels("个人信息:指以电子或者其他方式记录的能够单独或者与其他信息结合识别特定自然人身份或者反映特定自然人活动情况的各种信息。", ""), Vec::<&str>::new());
        // heading (H7)
        assert!(rule_labels("二、我们如何收集和使用您的个人信息", "").is_empty());
        // seeds/000, policy update (H20)
        assert!(!has("我们的任何修改都会将您的满意度置于首位。我们鼓励您在每次使用石医生服务时都查阅我们的隐私政策。", "", Label::Collection));
    }
}
