#!/usr/bin/env python3
"""Rebuild the real-text units added in challenge pass 2 (hand-challenge2@guideline-v2).

Reads the CAPP-130 test-split policies from ../shared/corpora/capp130/policies/ (path relative to
the repo root, i.e. /work/shared/... when the repo is /work/main), cuts the units given in SPEC
and EXTRA below by line number (1-based lines of the policy file), and writes them into
challenge-v1.jsonl:
  * family long_units is replaced entirely by LONG (consecutive non-blank lines of one paragraph
    or one section, each line stripped of leading/trailing blanks, joined by a single "\n";
    nothing rewritten);
  * EXTRA units (liability_deidentified, english_mixed) are one line, or one sentence of a line
    cut by exact start/end strings;
  * `section` is read from the policy's own heading lines (line numbers in `sec`); long units
    have `lead` null.
Ids continue the pass-1 numbering (ch-0432 onward) in the order of this file; a rerun drops its
earlier output first, so it is idempotent. A few real paragraphs go to other families (`family:id`)
and replace the handwritten unit named after the colon.
Labels and notes are hand decisions against guideline-v2 (per-clause reasoning in `note`);
`late` lists (label, phrase) pairs whose phrase must start in the last third of the text and
which is the only clause carrying that label (checked here for position; the "only" part is a
reading judgment).
Usage (repo root): python3 datasets/challenge/extract_long.py [--check]
"""
import json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
POL = os.path.join(ROOT, "..", "shared", "corpora", "capp130", "policies")
OUT = os.path.join(HERE, "challenge-v1.jsonl")
SRC = "hand-challenge2@guideline-v2"
C, S, SE, E, R = "collection", "sharing", "sensitive", "exemptions", "rights"

# (family[:replaced handwritten id], app, first_line, last_line, section_lines, labels, note, late)
LONG = [
 ("long_units", "12306", 42, 42, [20, 36, 38], [C, E],
  "non-PI combined use treated as PI and processed per policy (collection); '除取得您授权或法律法规另有规定外' carve-out at the end (H18)", [(E, "法律法规另有规定外")]),
 ("long_units", "12306", 86, 87, [84, 85], [C, S, SE, E],
  "share order/account/contact/位置信息 (sharing, sensitive); sharing under the consent-exception cases (E1); last clause: information the operator obtains via 银行、征信机构 and checks the legality of its source = inbound processing (collection, F3)", [(C, "对授权的个人信息来源的合法性进行确认")]),
 ("long_units", "12306", 88, 89, [84, 85], [C, S, SE],
  "embedded partner SDKs for push, payment, maps, 人脸识别 with list of SDK names and collected data (H14 sharing+collection; 人脸识别 sensitive); second line on SDK doc links is other", []),
 ("long_units", "12306", 92, 92, [84, 85], [S, SE],
  "confidentiality rules for recipients, re-consent on purpose change (sharing); last sentence: sharing children's PI with security assessment (儿童 → sensitive, H15)", [(SE, "儿童的个人信息")]),
 ("long_units", "12306", 97, 99, [84, 96], [S, E],
  "public-disclosure lead + items: on consent (sharing), on legal/judicial demand (sharing + exemptions, E3)", []),
 ("long_units", "12306", 115, 115, [113], [],
  "retention minimum period, deletion/anonymisation after period, cessation of operation — all other (F4, H6); no carve-out wording", []),
 ("long_units", "12306", 118, 118, [117], [C, R],
  "cookie helps recall filled-in PI (collection, H22); right to accept/refuse cookies via browser (rights); 'what a cookie is' part alone would be other", []),
 ("clear_rights_sensitive:ch-0225", "12306", 121, 121, [120], [C, SE],
  "names 证件号码、人脸、指纹、行程、14岁以下儿童 as 个人敏感信息 (sensitive); user agrees these will be processed per the stated purposes (collection/use)", []),
 ("long_units", "12306", 136, 137, [134], [C, S, SE, E],
  "minors guidance, 未满14周岁儿童 named (sensitive); use/sharing/disclosure only where law allows, guardian consent or protection requires (H15: collection, sharing, exemptions); deleting wrongly collected child data = operator action (no rights)", []),
 ("long_units", "12306", 145, 145, [144], [E, R],
  "rights with '法律法规另有规定的除外' (exemptions H18); identity check, 15 working days, fees (rights); refusal of unreasonable requests (H13 exemptions+rights)", []),
 ("long_units", "KEEP", 79, 79, [53, 77], [C, SE, R],
  "real-name info incl. 身份证号 (collection, sensitive, called 敏感个人信息); refusal consequence (collection, H12); last sentence: path 设置-个人资料-我的实名认证 to decide binding (rights)", [(R, "您可通过左上角「设置」")]),
 ("long_units", "KEEP", 168, 168, [53, 148, 166], [C, SE, R],
  "device location / 地理位置信息 collection for outdoor runs (collection, sensitive D5); stop by switching location off, cancel permission (rights); activity records = step data (not sensitive)", []),
 ("long_units", "KEEP", 172, 172, [53, 148, 170], [C, R],
  "microphone for recording video, 语音信息 collected (collection; D4: voice not message content → not sensitive); cancel permission any time (rights)", []),
 ("long_units", "KEEP", 219, 221, [215, 217], [C, S, SE],
  "entrusted processing by affiliates with contract controls (sharing); push partner SDKs (腾讯播放器、乐播投屏) access language, IP, 相册, 地理位置信息, 持续定位 … (H14 collection; location → sensitive, only in the last third)", [(SE, "最近一次地理位置信息")]),
 ("long_units", "KEEP", 227, 227, [215, 225], [C, S, E],
  "user content stored, not used commercially; used (检索、筛选) where law or authorities require (collection + exemptions E3); last clause: submitting suspected illegal content to authorities (sharing)", [(S, "向国家相关部门提交")]),
 ("long_units", "KEEP", 283, 283, [279], [],
  "security measures list (TLS, 匿名化 as a measure, access review, staff confidentiality, data classification) — other (F4); '确保未收集…无关的个人信息' is a governance goal, not a collection statement (borderline)", []),
 ("long_units", "KEEP", 316, 318, [300], [E, R],
  "self-service deletion / e-mail request, 15 working days (rights); data kept for legal purposes, backup copies deleted within 15 working days (H13 rights+exemptions)", []),
 ("long_units", "KEEP", 401, 403, [393, 395], [C, S, SE, E],
  "collect/use/share/disclose minors' PI only where law allows, guardian consent or protection requires (H15 pattern: collection, sharing, exemptions; 儿童 named → sensitive); no marketing use of children's PI (collection, sensitive); contact line for guardians other", []),
 ("long_units", "WiFi万能钥匙", 45, 45, [36], [C, S, SE],
  "policy for 14+, 未满14周岁 儿童 → children's version (sensitive); guardian identity/contact to be provided (collection); children's PI collected, used, 转移、披露 per the children's policy (sharing)", []),
 ("long_units", "WiFi万能钥匙", 93, 93, [62, 90, 91], [C, S, SE],
  "location permission, 位置信息 every 10-60 s, sensors, SSID (collection, sensitive D5); last sentence: phone number passed to third-party hotspot partners for the MPS requirement (sharing; D7: a legal purpose, not exemptions)", [(S, "传给第三方合作方")]),
 ("long_units", "WiFi万能钥匙", 120, 120, [62, 115, 116], [C, SE],
  "地理位置信息 incl. 精确定位信息 used for content (collection), called 个人敏感信息 (sensitive); refusal affects accuracy only (collection, H12); fallback on IP city (not sensitive)", []),
 ("long_units", "WiFi万能钥匙", 173, 173, [62, 171, 172], [C, SE, R],
  "personalised recommendation using device, 位置信息, behaviour and partner-obtained info (collection H23; location → sensitive); last sentence: switch it off at 我的-设置-智能推荐设置 (rights)", [(R, "可以在“我的-设置-智能推荐设置”中进行关闭")]),
 ("long_units", "WiFi万能钥匙", 187, 187, [62, 184], [C, S, SE],
  "wallet run by 盛付通: it obtains phone number, device IDs etc. and may need 身份证信息、银行卡信息、GPS定位、人脸认证 (sharing; sensitive); camera/album permission; operator gets explicit consent by pop-up before collecting the sensitive info (collection)", []),
 ("long_units", "WiFi万能钥匙", 322, 322, [294, 307], [E],
  "hotspot password encrypted storage and transmission (other, F4; connecting other users via the user's own hotspot sharing = H16 other); last sentence disclaims liability for password leaks not caused by the operator (E4/D9)", [(E, "不承担法律责任")]),
 ("long_units", "得物", 85, 85, [59, 75, 81], [C, S, R],
  "account info provided to third parties for their login with separate consent (sharing); third-party account info obtained from WeChat/Apple/Weibo (collection, F3); last sentence: bind/unbind at 我-设置-账号安全 (rights)", [(R, "您可以通过“我-设置-账号安全”")]),
 ("long_units", "得物", 89, 91, [59, 75, 87], [C, S, SE],
  "identity verification for legal/anti-fraud needs (collection, D7 purpose); 证件号码 and 面部识别信息 (sensitive); checking them with the national authentication authority via the operator or partners (sharing); result obtained from Alipay (collection, F3)", []),
 ("long_units", "得物", 107, 107, [59, 95], [C, S, SE],
  "bank-card binding: name, 身份证号码, 银行卡卡号 collected and given to the payment institution for authentication (collection, sharing, sensitive); credit-card CVV passed on to issuing bank, not stored; storage for risk identification. (Under the lead 「1、当您在得物购买商品及/或服务时：」, which adds nothing.)", []),
 ("sdk_permission:ch-0142", "得物", 191, 191, [59, 189], [C, SE],
  "self-developed security SDK collects device info and logs; uses/整合 account, 交易信息 and partner-shared data for risk control (collection; 交易信息 sensitive D6); no third party named as recipient (H14: no sharing)", []),
 ("long_units", "得物", 320, 320, [309, 316, 318], [C, SE],
  "third-party H5 pages may collect 个人生物识别信息、银行卡号 (sensitive; the third party collects directly, no outbound flow → not sharing, F3); their own policy applies (H19 other); last sentence: the platform does not collect or store what the user enters there (negated collection, D10)", [(C, "本平台不收集、不存储")]),
 ("negated:ch-0259", "得物", 328, 328, [309, 316, 322], [S, SE],
  "will not share 姓名、身份证、手机号码、银行卡 … 个人敏感信息 with third-party SDKs (negated sharing D10 + sensitive); advice to read SDK terms and report risks — other", []),
 ("long_units", "得物", 337, 339, [330, 333], [E],
  "security advice and duty to notify a leak (other, F4); last item: user 'fully accepts' leaks by hackers/force majeure and 得物 无须赔偿 any loss once it took necessary measures (liability shift about PI, D9/E4)", [(E, "得物则无须赔偿")]),
 ("long_units", "得物", 538, 538, [509, 512], [S],
  "advertising partners receive de-identified device/statistics info, campaign data, use rules (sharing); de-identification described, but not presented as outside consent (F7 negative → no exemptions). Item of 「目前，我们的第三方合作伙伴包括以下类型：」 (adds nothing)", []),
 ("liability_deidentified:ch-0204", "得物", 560, 560, [509, 554], [S, E],
  "public disclosure of rule-breakers' info under law or with consent, e.g. counterfeit sellers (sharing; D8 rule-breakers + legal basis → exemptions)", []),
 ("long_units", "qq飞车", 82, 82, [61], [C, S, SE],
  "further 敏感个人信息 (phone, photo, 人脸识别信息) requested and compared with operator / police data sources (collection, sensitive, sharing for the comparison); refusal → restriction (collection); face data only for comparison, not kept", []),
 ("long_units", "qq飞车", 148, 148, [61], [C, R],
  "cookies/tags collect IP, browser, clickstream for HTML5 pages (collection H22); not linked with other data; last clause: clear them by clearing cache (rights)", [(R, "您可以通过清除浏览器/游戏的缓存方式清除这些信息")]),
 ("long_units", "qq飞车", 186, 186, [172, 173, 184], [S, R],
  "binding with 关联产品 (other Tencent products) and sharing nickname, avatar, 战绩 (D15 sharing); last part: view/manage the authorisation and display in the related product's settings (rights)", [(R, "您可以在关联产品设置页面")]),
 ("clear_rights_sensitive:ch-0221", "qq飞车", 315, 315, [255, 314], [E, R],
  "account cancellation path and what happens on it (rights H21); '除法律法规或本协议另有规定外' carve-out on deletion (exemptions H18)", []),
 ("long_units", "抖音", 178, 178, [44, 174, 176], [C, R],
  "uses the contact details for notices and commercial messages (collection, H23); last sentence: unsubscribe via SMS link or contact (rights)", [(R, "你可以通过手机短信中提供的退订方式进行退订")]),
 ("long_units", "抖音", 184, 184, [44, 174, 182], [C],
  "clipboard read locally, uploaded only when it is a 抖音 command, nothing else uploaded (collection, F5 clipboard example); album read for sharing (collection)", []),
 ("long_units", "抖音", 292, 292, [244, 272, 274], [C, S, SE],
  "payment by partner institutions who collect name, 身份证号, 银行卡 (partner list H14: sharing + collection; sensitive, called 个人敏感信息); refusal consequence (collection); 合众易宝 named; pointer to its policy", []),
 ("long_units", "抖音", 441, 441, [344, 439], [E, R],
  "cancellation path, verification, irreversible, deletion/anonymisation on it (rights H21); last clause '但法律法规另有规定的除外' (exemptions H18)", [(E, "但法律法规另有规定的除外")]),
 ("long_units", "抖音", 499, 499, [491, 493], [C, S, SE, E],
  "collect/use/share/disclose minors' PI only where law allows, guardian consent or protection requires (collection, sharing, exemptions, H15 pattern); deletion of wrongly collected data (other); the only under-14 mention, 儿童（未满14周岁）, comes at the end (sensitive)", [(SE, "保护儿童（未满14周岁）")]),
 ("long_units", "百度网盘", 73, 73, [29, 33, 71], [C, SE, R],
  "backup of contacts, 通话记录 and SMS (collection; 通话记录/短信 = communication records, sensitive); manage/delete backups and switch auto-backup off (rights); SMS permission for phone recovery (collection)", []),
 ("negated:ch-0263", "百度网盘", 79, 79, [29, 75], [C, SE],
  "pop-up to allow GPS位置权限, used only for background photo backup (collection, D5 sensitive); does not store 位置及轨迹 (negated, D10 keeps sensitive); refusal consequence (collection)", []),
 ("long_units", "百度网盘", 91, 91, [29, 89], [C, SE, R],
  "AI classification of 人脸, places, objects in photos, training on photos (collection; 人脸 → biometrics, sensitive); last sentence: switch face grouping off at 我的--设置-隐私设置, tags deleted (rights)", []),
 ("long_units", "百度网盘", 178, 178, [123, 176], [C, S, SE],
  "third-party SDKs of device makers, social platforms, carriers, payment institutions may call permissions and get 位置信息, storage, phone state … (H14 sharing + collection; location → sensitive D5); pointer to the SDK list (D16 sharing)", []),
]

# (family, app, line, start, end, section_lines, lead_line, labels, note)
EXTRA = [
 ("liability_deidentified", "KEEP", 353, None, None, [351], None, [E],
  "no control over third parties or the PI they hold; PI protection in third-party products outside this policy (D9 liability shift about PI; H19's 'policy does not apply' alone would be other)"),
 ("liability_deidentified", "KEEP", 251, None, None, [215, 225, 243], None, [S],
  "aggregated '非个人信息' shared with advertisers: sharing; no wording putting it outside consent (F7 negative)"),
 ("liability_deidentified", "WiFi万能钥匙", 244, None, None, [62, 237], None, [S],
  "usage statistics without identity info shared with the public/partners: sharing; no consent carve-out wording (F7 negative)"),
 ("liability_deidentified", "12306", 91, None, None, [84, 85], 90, [S],
  "as entrusted party, gives partners aggregated / non-identifying statistics after consent: sharing; aggregation is a safeguard, not a carve-out (F7 negative)"),
 ("liability_deidentified", "KEEP", 360, None, None, [356], None, [C, E],
  "cookies collect usage info (collection H22); 'we treat information collected by cookies as 非个人信息' puts tracking data outside the policy's PI rules — read as an F7 carve-out (hard call: the data is not said to be anonymised)"),
 ("liability_deidentified", "得物", 197, None, None, [59, 189], None, [C, E],
  "combined use of device/log info treated as PI (collection); '除取得您授权或法律法规另有规定外' carve-out (H18); anonymisation/de-identification as a processing step, not a consent carve-out"),
 ("english_mixed", "KEEP", 152, None, None, [53, 148, 150], None, [],
  "permission name line above its own description (D1: heading → other)"),
 ("english_mixed", "KEEP", 386, None, None, [356, 384], None, [C, S, R],
  "HTML5/Flash LSO store content (collection H22); third parties collect via Flash cookies for ads (sharing); browsers' tools to delete LSO (rights)"),
 ("english_mixed", "KEEP", 378, None, None, [356, 376], None, [C],
  "log files with IP, ISP, clickstream (collection); not linked with other data"),
 ("english_mixed", "得物", 464, None, None, [351, 458], None, [SE, R],
  "switch permissions incl. 位置信息 and Face ID off (rights); location and Face ID (face recognition) named → sensitive"),
 ("english_mixed", "12306", 125, None, None, [123], None, [SE],
  "security measures incl. SSL (other, F4) but '敏感信息脱敏显示' sets a rule for sensitive information (2.3 includes)"),
 ("english_mixed", "WiFi万能钥匙", 109, None, None, [62, 90, 107], None, [C, S, SE],
  "腾讯/高德/百度地图SDK collect MAC, AndroidID, IMEI, 位置信息 (H14 sharing + collection; location sensitive)"),
 ("english_mixed", "得物", 311, None, None, [309], None, [C],
  "login Cookie with encrypted login name (collection H22); encryption is a measure (other)"),
 ("english_mixed", "三国志幻想大陆", 361, None, None, [349], None, [],
  "definition of 设备信息 (IMEI, IDFA, Android ID …) in the appendix: H5 other"),
]


def lines_of(app):
    with open(os.path.join(POL, app + ".txt"), encoding="utf-8") as f:
        return f.read().split("\n")


def build(first_id):
    units = []
    for fam, app, a, b, sec, labels, note, late in LONG:
        fam, _, replaces = fam.partition(":")
        L = lines_of(app)
        parts = [L[i - 1].strip() for i in range(a, b + 1) if L[i - 1].strip()]
        text = "\n".join(parts)
        n = len(text)
        assert 150 <= n <= 600, (app, a, n)
        for lab, phrase in late:
            assert lab in labels, (app, a, lab)
            k = text.find(phrase)
            assert k >= 2 * n / 3, (app, a, phrase, k, n)
        if replaces:
            note += f" | moved from the long-unit draft; replaces handwritten {replaces}"
        if late:
            note += " | late: " + ", ".join(l for l, _ in late)
        units.append({"family": fam, "origin": "capp130/" + app, "text": text,
                      "section": [L[i - 1].strip() for i in sec], "lead": None, "labels": labels,
                      "label_source": SRC, "note": note})
    for fam, app, ln, st, en, sec, lead, labels, note in EXTRA:
        L = lines_of(app)
        text = L[ln - 1].strip()
        if st:
            text = text[text.index(st):]
        if en:
            text = text[:text.index(en) + len(en)]
        units.append({"family": fam, "origin": "capp130/" + app, "text": text,
                      "section": [L[i - 1].strip() for i in sec],
                      "lead": L[lead - 1].strip() if lead else None, "labels": labels,
                      "label_source": SRC, "note": note})
    out = []
    for k, u in enumerate(units):
        out.append({"id": f"ch-{first_id + k:04d}", **u})
    return out


# handwritten units replaced by the real units above (same family, similar case)
REPLACED = [f.partition(":")[2] for f, *_ in LONG if ":" in f]


def main():
    old = [json.loads(l) for l in open(OUT, encoding="utf-8") if l.strip()]
    # drop earlier pass-2 output (rerun), the handwritten long units and the replaced units
    kept = [r for r in old if r["label_source"] != SRC and r["family"] != "long_units"
            and r["id"] not in REPLACED]
    first = 1 + max(int(r["id"][3:]) for r in old if r["label_source"] != SRC)
    new = build(first)
    if "--check" in sys.argv:
        for u in new:
            print(u["id"], u["family"], len(u["text"]), u["labels"], u["section"])
        return
    with open(OUT, "w", encoding="utf-8") as f:
        for r in kept + new:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(kept)} kept + {len(new)} pass-2 units to {OUT}")


if __name__ == "__main__":
    main()
