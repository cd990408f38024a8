//! Labeling functions `rules@v1`: keyword and pattern rules written from `datasets/GUIDELINES.md`
//! (guideline-v1).
//!
//! They have three jobs: they produced the `sensitive` and `exemptions` labels for CAPP-130
//! sentences in dataset v1 (CAPP has no such labels), they are the keyword baseline the trained
//! model must beat on all five labels, and a model's rule thresholds consult them at inference
//! (see [`crate::model::ClassifierSettings::rule_thresholds`]). Each label has one small
//! function; every rule names the guideline section it implements, and `datasets/RULES.md` lists
//! them with the precision observed on CAPP-130.
//!
//! Matching is plain substring search over a normalised copy of the text: ASCII lower-cased,
//! full-width punctuation and digits mapped to ASCII (`，：；（）` → `,:;()`), so one pattern
//! covers both the seeds' half-width and CAPP's full-width punctuation. [`seq`] matches several
//! pieces in order with a bounded gap that never crosses a sentence end (`。;!?`).

use crate::labels::{Label, LabelSet};

/// The version recorded as `label_source` for labels these rules produce.
pub const RULES_VERSION: &str = "rules@v1";

/// Labels for one unit from its text and its context (heading path, then the list lead, joined by
/// `\n`; see [`crate::segment`]). An empty set means "other".
///
/// Order of decisions: a bare heading is other (H7); a definition is other unless it sets a rule
/// for sensitive information (H5); otherwise each label's own-text rule runs, and a list item
/// inherits from its lead what the lead announces (H1–H3).
pub fn rule_labels(text: &str, context: &str) -> LabelSet {
    let t = normalise(text);
    let ctx = Context::parse(context);
    let mut set = LabelSet::EMPTY;
    // A section title that follows a list still reads as a title, not as the list's last item.
    let titled = any(&t, &["如何", "权利", "联系我们", "隐私政策", "本政策"]);
    if is_heading(&t) && (ctx.lead.is_none() || titled) {
        return set;
    }
    if is_definition(&t) {
        if sensitive_rule(&t) {
            set.insert(Label::Sensitive);
        }
        return set;
    }
    set = own_labels(&t);
    if let Some(lead) = &ctx.lead {
        let from_lead = own_labels(lead);
        for label in [Label::Collection, Label::Sharing, Label::Rights] {
            if from_lead.contains(label) {
                set.insert(label);
            }
        }
        if lead_declares_all_sensitive(lead) {
            set.insert(Label::Sensitive);
        }
    }
    // H1/H2: exemptions pass down only from a lead (or heading) that introduces a list of
    // exemption cases, never from a side-clause carve-out.
    if ctx
        .lead
        .iter()
        .chain(ctx.headings.iter())
        .any(|c| announces_exemption_list(c))
    {
        set.insert(Label::Exemptions);
    }
    set
}

/// The labels a unit earns by its own (normalised) text.
fn own_labels(t: &str) -> LabelSet {
    let mut set = LabelSet::EMPTY;
    if collection(t) {
        set.insert(Label::Collection);
    }
    if sharing(t) {
        set.insert(Label::Sharing);
    }
    if sensitive(t) {
        set.insert(Label::Sensitive);
    }
    if exemptions(t) {
        set.insert(Label::Exemptions);
    }
    if rights(t) {
        set.insert(Label::Rights);
    }
    set
}

/// A unit's context split into headings and the list lead (the last line, when it ends with a
/// colon and reads as a sentence rather than a bare noun phrase).
struct Context {
    headings: Vec<String>,
    lead: Option<String>,
}

impl Context {
    fn parse(context: &str) -> Context {
        let mut headings: Vec<String> = context
            .lines()
            .map(|l| normalise(l.trim()))
            .filter(|l| !l.is_empty())
            .collect();
        let is_lead = headings
            .last()
            .is_some_and(|l| l.ends_with(':') && (l.contains(',') || l.chars().count() > 12));
        let lead = if is_lead { headings.pop() } else { None };
        Context { headings, lead }
    }
}

/// Lower-cases ASCII and maps full-width punctuation and digits to ASCII.
pub(crate) fn normalise(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '，' => ',',
            '：' => ':',
            '；' => ';',
            '（' => '(',
            '）' => ')',
            '！' => '!',
            '？' => '?',
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

fn any(t: &str, pats: &[&str]) -> bool {
    pats.iter().any(|p| t.contains(p))
}

/// Whether `parts` occur in order, each starting at most `gap` chars after the previous one ends,
/// with no sentence end (`。;!?`) in between.
fn seq(t: &str, parts: &[&str], gap: usize) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return true;
    };
    t.match_indices(first).any(|(start, m)| {
        let mut end = start + m.len();
        rest.iter().all(|p| match t[end..].find(p) {
            Some(off) => {
                let between = &t[end..end + off];
                let ok = between.chars().count() <= gap && !between.contains(['。', ';', '!', '?']);
                end += off + p.len();
                ok
            }
            None => false,
        })
    })
}

/// H7: a title, section name or table-of-contents entry: short, no sentence punctuation, and not
/// a stock exemption item (those end in 的).
fn is_heading(t: &str) -> bool {
    let t = t.trim();
    // 「儿童特别说明:」: a bare noun phrase ending in a colon is a heading too (H7).
    let t = t
        .strip_suffix(':')
        .filter(|h| h.chars().count() <= 12)
        .unwrap_or(t);
    t.chars().count() <= 30
        && !t.contains([',', ';', '。', ':', '!', '?', '|'])
        && !t.ends_with('的')
        && !any(t, &["我们会", "我们将", "您可以"])
}

/// H5: a definition of a term (`X:指…`, `X是指…`, `个人信息是…`).
fn is_definition(t: &str) -> bool {
    let head: String = t.chars().take(30).collect();
    seq(&head, &[":", "指"], 1)
        || head.contains("是指")
        || head.contains("定义为")
        || any(
            &head,
            &[
                "个人信息是",
                "敏感个人信息是",
                "个人敏感信息是",
                "个人信息是以",
            ],
        )
}

// ---------------------------------------------------------------------------------------------
// collection (guideline 2.1)

/// `collection`: the operator collects, obtains, records or uses personal information, asks for a
/// device permission, or uses cookies and similar tracking (2.1, H12, H14, H22, H23).
///
/// - C1 collecting verbs: 收集, 采集, 获取您的, 读取, 接收并记录, 记录您的 (not 获取 alone: 获取服务).
/// - C2 the user provides data: 您需要提供, 需要您提供, 请您提供, 您需要填写, 您提供的…信息.
/// - C3 use of the user's information: 使用您的…信息, 将…信息用于/用作, 使用或整合.
/// - C4 device permissions: 调用/开启/申请/获取/访问/授予/使用 with 权限, a named permission
///   (相机, 摄像头, 麦克风, 相册, 通讯录, 日历, 存储, 位置, 定位) near 权限, or 调用 with 设备/传感器.
/// - C5 cookies and similar tracking: cookie, 网站信标, 像素标签, 同类技术.
fn collection(t: &str) -> bool {
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

// ---------------------------------------------------------------------------------------------
// sharing (guideline 2.2)

/// `sharing`: personal information goes to anyone other than the operator (2.2, H10, H14, H16).
///
/// - S1 sharing verbs: 共享 (minus 授权共享的, which is data coming *in*), 委托…处理, 转让,
///   公开披露, 披露, 对外提供, 提供给, 传输至/给, 发送给, 同步给.
/// - S2 providing to a named recipient: 向 + 第三方/合作/关联/机构/服务商/供应商/机关 + 提供.
/// - S3 cross-border: 出境, 跨境, 境外, 全球范围.
/// - S4 third-party SDKs or services collecting: sdk/第三方 near 收集/获取/使用目的/个人信息.
fn sharing(t: &str) -> bool {
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

// ---------------------------------------------------------------------------------------------
// sensitive (guideline 2.3)

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
fn sensitive(t: &str) -> bool {
    // Online-banking product names are not account data (「手机银行账户」, 「银行卡业务-资料修改」).
    let t = ["手机银行", "网上银行", "电子银行", "银行卡业务"]
        .iter()
        .fold(t.to_string(), |acc, p| acc.replace(p, ""));
    any(&t, SENSITIVE_TYPES)
}

/// A definition is sensitive only when it sets a rule for sensitive information (H5): bold
/// marking, encryption or separate consent, next to a sensitive type.
fn sensitive_rule(t: &str) -> bool {
    sensitive(t)
        && any(
            t,
            &["粗体", "加粗", "加密", "单独同意", "单独征得", "显著标识"],
        )
}

/// H3: the lead says every listed item is sensitive.
fn lead_declares_all_sensitive(lead: &str) -> bool {
    seq(lead, &["以下", "属于", "敏感"], 20)
}

// ---------------------------------------------------------------------------------------------
// exemptions (guideline 2.4)

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
fn exemptions(t: &str) -> bool {
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
fn announces_exemption_list(c: &str) -> bool {
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

// ---------------------------------------------------------------------------------------------
// rights (guideline 2.5)

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
fn rights(t: &str) -> bool {
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
    use super::*;

    fn labels(text: &str, context: &str) -> Vec<&'static str> {
        rule_labels(text, context).iter().map(Label::name).collect()
    }

    fn has(text: &str, context: &str, label: Label) -> bool {
        rule_labels(text, context).contains(label)
    }

    #[test]
    fn normalisation_maps_full_width_punctuation_and_case() {
        assert_eq!(normalise("Cookie，GPS：（１４）"), "cookie,gps:(14)");
        assert!(seq("根据法律,法规另有规定的除外", &["法规", "除外"], 30));
        assert!(
            !seq("法律规定。其他除外", &["法律", "除外"], 30),
            "gap crosses a sentence end"
        );
    }

    // --- collection ---------------------------------------------------------------------------

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

    // --- sharing ------------------------------------------------------------------------------

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

    // --- sensitive ----------------------------------------------------------------------------

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

    // --- exemptions ---------------------------------------------------------------------------

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

    // --- rights -------------------------------------------------------------------------------

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

    #[test]
    fn version_is_recorded() {
        assert_eq!(RULES_VERSION, "rules@v1");
    }
}
