"""Candidates for the guideline-v2 relabeling pass (pass 3): records of a dataset whose text a
keyword filter puts under one of the rows of GUIDELINES.md 7.3 (the row numbers are the keys
below). The filter only chooses what annotators read; they decide every label by the guideline.

Run on dataset v2 (the v1 labels the filter looks at), e.g.
    git show 64762f5:datasets/privclause-v2.jsonl > /tmp/v2.jsonl
    python3 datasets/annotations/relabel_v2_candidates.py /tmp/v2.jsonl /tmp/cands.jsonl
It prints the count per row and writes one line per candidate (sorted by policy and unit), with
the rows that matched; the pass was annotated in five chunks of 265 consecutive lines.
"""
import json, re, collections, sys

SOURCE, OUT = sys.argv[1], sys.argv[2]
rows={
 1:lambda t,c,L: 'rights' in L and len(t)<80 and re.search(r'电话|邮箱|邮件|E-?mail|@|地址|热线|客服|工作时间|工作日|负责人|联系方式|\d{3,4}-?\d{7,8}|400-?\d',t,re.I) and not re.search(r'删除|更正|查阅|复制|撤回|注销|投诉.*处理|行使',t),
 3:lambda t,c,L: 'rights' in L and re.search(r'管辖|适用.*法律|争议|诉讼|仲裁|协商解决',t),
 4:lambda t,c,L: 'exemptions' in L and re.search(r'中断|不可抗力|知识产权|内容|黑客|病毒|系统故障|维护|服务.*暂停|免责|不承担',t) and not re.search(r'个人信息|信息泄露|数据',t),
 5:lambda t,c,L: 'sensitive' in L and re.search(r'语音|麦克风|录音|声音',t) and not re.search(r'人脸|生物识别|身份证|健康|医疗|位置|行踪|金融|银行|支付|儿童|未成年|14周岁|声纹',t),
 6:lambda t,c,L: 'sensitive' not in L and re.search(r'(不会|不|无需|未|并不|不再)[^。；]{0,12}(收集|获取|使用|处理|存储|共享)[^。；]{0,20}(人脸|生物识别|指纹|身份证|健康|医疗|病历|行踪|精确位置|银行|金融|儿童|未成年|14周岁|宗教|声纹)',t),
 7:lambda t,c,L: 'exemptions' not in L and (re.search(r'不承担|自行承担|概不负责|免除|免责|无法识别特定|无法重新识别|不属于个人信息',t) or (re.search(r'去标识化|匿名化|合同.*必需|订立.*合同|违反.*(法律|协议|规则)',t) and re.search(r'无需|不需|不再|不.*征得|不.*同意|除外|不.*通知',t+c))),
 8:lambda t,c,L: re.search(r'同步|关联.*(产品|应用|APP)|其他产品|旗下',t,re.I) and re.search(r'账号|信息|数据',t),
 10:lambda t,c,L: 'exemptions' in L and re.search(r'法律法规.*(要求|规定)|履行.*义务|监管',t) and re.search(r'收集|需要|用于|目的',t) and not re.search(r'无需|不需|除外|例外|征得',t+c),
 11:lambda t,c,L: 'sharing' in L and re.search(r'运营商|一键登录|第三方(账号|帐号)?登录|微信登录|QQ登录|从.*(获取|获得|收到|接收)|向我们(提供|共享)|间接获取|合作方.*提供给我们',t),
}
out=collections.defaultdict(list); seen=set()
for l in open(SOURCE, encoding='utf-8'):
    r=json.loads(l); t=r['text']; c=r['context']; L=set(r['labels'])
    for k,f in rows.items():
        if f(t,c,L):
            out[k].append(r)
for k in rows: print(k, len(out[k]), collections.Counter(r['split'] for r in out[k]))
allc={}
for k,v in out.items():
    for r in v: allc.setdefault((r['policy'],r['unit']),(r,set()))[1].add(k)
print('total',len(allc))
with open(OUT, 'w', encoding='utf-8') as f:
    for (p,u),(r,ks) in sorted(allc.items()):
        f.write(json.dumps({'policy':p,'unit':u,'text':r['text'],'context':r['context'],'labels':r['labels'],'split':r['split'],'rows':sorted(ks)},ensure_ascii=False)+'\n')
