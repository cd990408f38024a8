#!/usr/bin/env bash
# Browser check of `privclause report`: labels the five seed policies with the shipped model,
# builds their report, and opens the pages in headless Chromium from file://. Fails when a page
# logs a script error, when its scripts did not run, or when the number of marked units on a
# policy page differs from the number of records; times a 2,000-unit policy page (load and
# layout, must stay under a second); checks that the label filter and the table sorting work;
# takes 1280x800 screenshots of a policy page and the corpus page (written to
# docs/report-policy.png and docs/report-corpus.png with UPDATE_SCREENSHOTS=1).
#
# Run from anywhere: bash tests/browser/report_check.sh (installs Debian's chromium and a CJK
# font when missing, which needs root, as CI has).
set -euo pipefail
cd "$(dirname "$0")/../.."

# The policy shown in docs/report-policy.png.
SCREENSHOT_POLICY=003_f94399429406dde4.txt
# Load and layout budget of a long policy page, in milliseconds.
LONG_PAGE_BUDGET_MS=1000

ensure_chromium() {
    local missing=()
    command -v chromium >/dev/null || missing+=(chromium)
    fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-noto-cjk)
    if ((${#missing[@]})); then
        echo "installing ${missing[*]}" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

fail() {
    echo "report_check: FAIL: $*" >&2
    exit 1
}

# chromium, headless, 1280x800, console messages on stderr.
browser() {
    timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --window-size=1280,800 --enable-logging=stderr --v=0 "$@"
}

# dump_dom FILE OUT [FLAGS...]: the DOM of FILE after load into OUT; fails on script errors.
dump_dom() {
    local file=$1 out=$2
    shift 2
    browser "$@" --virtual-time-budget=5000 --dump-dom "file://$file" >"$out" 2>"$out.log" ||
        fail "chromium could not open $file: $(tail -3 "$out.log")"
    if grep -E 'Uncaught|CONSOLE.*[Ee]rror' "$out.log"; then
        fail "script errors on $file"
    fi
    if grep -q 'data-js-errors="' "$out"; then
        fail "script errors recorded on $file: $(grep -o 'data-js-errors="[^"]*"' "$out")"
    fi
    grep -q 'data-js="ready"' "$out" || fail "the scripts of $file did not run"
}

# frame_check DIR PAGE CHECK: opens PAGE (a path under DIR) in a frame of a harness page and
# prints "load_ms=<navigation to laid out> <what CHECK returns>"; CHECK is the body of a
# function(doc, win) run on the loaded page.
frame_check() {
    local dir=$1 page=$2 check=$3
    {
        echo '<!DOCTYPE html><meta charset="utf-8"><body><p id="result">pending</p><script>'
        echo "function check(doc, win) { $check }"
        cat <<'EOF'
document.documentElement.setAttribute("data-js", "ready");
var frame = document.createElement("iframe"), started = performance.now();
frame.style.width = "1280px";
frame.style.height = "800px";
frame.onload = function () {
  var doc = frame.contentDocument, height = doc.body.offsetHeight;
  var ms = Math.round(performance.now() - started);
  document.getElementById("result").textContent = "load_ms=" + ms + " " + check(doc, frame.contentWindow);
};
frame.src = location.hash.slice(1);
document.body.appendChild(frame);
</script>
EOF
    } >"$dir/harness.html"
    dump_dom "$dir/harness.html#$page" "$tmp/frame.html" --allow-file-access-from-files
    grep -o '<p id="result">[^<]*' "$tmp/frame.html" | sed 's/.*>//'
}

ensure_chromium
cargo build --release
bin=target/release/privclause
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$bin" label datasets/seeds/ -o "$tmp/labeled/"
"$bin" report "$tmp/labeled/" -o "$tmp/site"

# Every policy page: one marked unit per record.
policies=0
for jsonl in "$tmp"/labeled/*.jsonl; do
    name=$(basename "$jsonl" .jsonl)
    page=$(ls "$tmp"/site/policies/*-"$name".html)
    records=$(grep -c . "$jsonl")
    dump_dom "$page" "$tmp/dom.html"
    units=$(grep -o 'data-unit="' "$tmp/dom.html" | wc -l)
    [[ $units -eq $records ]] || fail "$name: $units marked units, $records records"
    echo "ok: $name: $units marked units = $records records"
    policies=$((policies + 1))
done

# The corpus page: one row per policy, two charts.
dump_dom "$tmp/site/index.html" "$tmp/dom.html"
rows=$(grep -o '<tr data-doc=' "$tmp/dom.html" | wc -l)
[[ $rows -eq $policies ]] || fail "corpus page: $rows rows, $policies policies"
charts=$(grep -o '<svg' "$tmp/dom.html" | wc -l)
[[ $charts -eq 2 ]] || fail "corpus page: $charts charts"
echo "ok: corpus page: $rows rows, $charts charts"

# A 2,000-unit policy (the seeds' records twice, renumbered): timed from navigation to laid out.
cat "$tmp"/labeled/*.jsonl "$tmp"/labeled/*.jsonl |
    awk 'NR <= 2000 { sub(/"doc":"[^"]*"/, "\"doc\":\"long-policy.txt\""); sub(/"index":[0-9]+/, "\"index\":" NR - 1); print }' \
        >"$tmp/long.jsonl"
"$bin" report "$tmp/long.jsonl" -o "$tmp/long-site"
long_page=$(cd "$tmp/long-site" && ls policies/*-long-policy.txt.html)
result=$(frame_check "$tmp/long-site" "$long_page" \
    'return "units=" + doc.querySelectorAll("[data-unit]").length + " js=" + doc.documentElement.getAttribute("data-js");')
echo "long page: $result"
[[ $result == *" units=2000 js=ready" ]] || fail "long page: $result"
load_ms=${result#load_ms=}
load_ms=${load_ms%% *}
((load_ms < LONG_PAGE_BUDGET_MS)) || fail "long page took $load_ms ms to load (budget $LONG_PAGE_BUDGET_MS)"

# The label filter: with only "rights" checked, exactly the rights units (and headings) show.
policy_page=$(cd "$tmp/site" && ls policies/*-"$SCREENSHOT_POLICY".html)
result=$(frame_check "$tmp/site" "$policy_page" '
    var boxes = doc.querySelectorAll("input[data-filter]");
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].checked = boxes[i].getAttribute("data-filter") === "rights";
      boxes[i].dispatchEvent(new Event("change"));
    }
    var units = doc.querySelectorAll(".u"), shown = 0, wrong = 0;
    for (var j = 0; j < units.length; j++) {
      var u = units[j], visible = win.getComputedStyle(u).display !== "none";
      var expected = u.classList.contains("l-rights") || u.classList.contains("hd");
      if (visible) { shown++; }
      if (visible !== expected) { wrong++; }
    }
    return "shown=" + shown + " wrong=" + wrong + " rights=" + doc.querySelectorAll(".u.l-rights").length;')
echo "filter: $result"
[[ $result =~ wrong=0\ rights=[1-9] ]] || fail "filter: $result"

# Sorting the corpus table: the units column, ascending then descending.
result=$(frame_check "$tmp/site" index.html '
    var button = doc.querySelectorAll("#policies thead th button")[1];
    function units() {
      var rows = doc.querySelectorAll("#policies tbody tr"), values = [];
      for (var i = 0; i < rows.length; i++) { values.push(+rows[i].cells[1].getAttribute("data-v")); }
      return values;
    }
    function ordered(values, sign) {
      for (var i = 1; i < values.length; i++) { if (sign * (values[i] - values[i - 1]) < 0) { return false; } }
      return true;
    }
    button.click();
    var up = ordered(units(), 1);
    button.click();
    var down = ordered(units(), -1);
    return "ascending=" + up + " descending=" + down;')
echo "sort: $result"
[[ $result == *"ascending=true descending=true" ]] || fail "sort: $result"

# Screenshots: into docs/ for the README with UPDATE_SCREENSHOTS=1, else beside the site (so
# a test run leaves the working tree as it was).
shots="$tmp"
if [[ ${UPDATE_SCREENSHOTS:-0} == 1 ]]; then
    shots="$PWD/docs"
    mkdir -p "$shots"
fi
browser --screenshot="$shots/report-policy.png" "file://$tmp/site/$policy_page" 2>/dev/null
browser --screenshot="$shots/report-corpus.png" "file://$tmp/site/index.html" 2>/dev/null
[[ -s $shots/report-policy.png && -s $shots/report-corpus.png ]] || fail "no screenshot"
echo "ok: screenshots in $shots/report-policy.png and $shots/report-corpus.png"
echo "report_check: all checks passed"
