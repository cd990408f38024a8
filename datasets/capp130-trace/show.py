import json,sys
lab,d=sys.argv[1],sys.argv[2]
for l in open('datasets/capp130-trace/sample.jsonl',encoding='utf-8'):
    s=json.loads(l)
    if s['label']!=lab or s['dir']!=d: continue
    print(f"=== #{s['sid']} {s['policy']} u{s['unit']} [{s['split']}] src={s['src']}  OURS={s['labels']} CAPPmap={[x for x in s['weak'] if x in ('collection','sharing','rights')]}")
    print("CTX:", s['context'].replace('\n',' || ')[:300])
    for p in s['prev']: print("  prev", p)
    print("TEXT:", s['text'])
    for n in s['next']: print("  next", n)
    for c in s['capp']: print("  CAPP", c['id'], c['label'], c['text'][:300])
