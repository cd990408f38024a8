//! The style and the small scripts inlined into every page (pages load nothing else, so they
//! open offline from `file://`). No script touches each unit at load: filtering toggles classes
//! on `<body>` and style rules do the rest.

/// Layout, typography and the checklist and chart styles (label colors: [`super::html`]).
pub const STYLE_CSS: &str = r#"
:root{font-family:system-ui,"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;color:#1b1b1b;background:#fff;line-height:1.6}
body{margin:0}
a{color:#0b57a4}
header.top{padding:.5rem 1.5rem;border-bottom:1px solid #ddd;background:#f7f7f7}
header.top h1{margin:.1rem 0;font-size:1.5rem}
.doc{color:#555;font-size:.85rem;word-break:break-all}
.disclaimer{margin:.4rem 0;padding:.4rem .6rem;border-left:4px solid #b26b00;background:#fff4e0;font-size:.85rem}
fieldset.filters{display:flex;flex-wrap:wrap;gap:.4rem 1rem;border:1px solid #ccc;border-radius:4px;margin:.4rem 0;padding:.2rem .8rem .4rem;background:#fff}
fieldset.filters label{cursor:pointer;white-space:nowrap}
.layout{display:grid;grid-template-columns:minmax(12rem,18rem) 1fr;align-items:start}
nav.toc{position:sticky;top:0;max-height:100vh;overflow:auto;padding:.5rem 1rem;border-right:1px solid #ddd;font-size:.85rem;box-sizing:border-box}
nav.toc ul{margin:0;padding-left:1rem}
nav.toc>ul{padding-left:0;list-style:none}
main{padding:0 1.5rem 3rem;min-width:0}
table{border-collapse:collapse;margin:.5rem 0}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.status{font-weight:600;white-space:nowrap}
.s-present{color:#1a7f37}
.s-unclear{color:#9a6700}
.s-missing{color:#cf222e}
.evidence a{display:block}
td.item{min-width:14rem}
ul.checks{display:flex;flex-wrap:wrap;gap:.35rem;margin:.4rem 0;padding:0;list-style:none}
ul.checks li{border:1px solid currentColor;border-radius:4px;padding:0 .4rem;font-size:.85rem;background:#fff}
ul.checks a{color:inherit;text-decoration:none}
details.checklist>summary{cursor:pointer;color:#0b57a4;margin:.3rem 0}
details.rule{font-size:.8rem;color:#444}
article.policy{max-width:60rem}
article.policy .par{margin:.35rem 0}
article.policy .k-list_item,article.policy .k-table_row{margin-left:1.5rem}
.u{border-radius:3px;padding:0 1px}
.u:focus{outline:2px solid #1b1b1b}
.u:focus::after{content:attr(title);display:inline-block;margin-left:.3rem;padding:0 .3rem;font-size:.75rem;font-weight:400;background:#fffbe6;border:1px solid #c9b458;border-radius:3px}
.tag{display:inline-block;margin-left:.25rem;padding:0 .2rem;font-size:.72rem;font-weight:600;border:1px solid;border-radius:3px;background:#fff;line-height:1.3;vertical-align:baseline}
body.filtering .par{margin:0}
body.filtering .u:not(.hd){display:none}
th button{all:unset;cursor:pointer;font-weight:600}
th button:focus{outline:2px solid #1b1b1b}
th[aria-sort=ascending] button::after{content:" ▲"}
th[aria-sort=descending] button::after{content:" ▼"}
.charts{display:flex;flex-wrap:wrap;gap:0 1.5rem}
.charts h2{font-size:1.1rem;margin:.6rem 0 .2rem}
.charts p{margin:0;font-size:.85rem}
.charts figure{margin:0}
svg text{font-family:inherit}
.failures{color:#cf222e}
"#;

/// Runs first on every page: records script errors on `<html data-js-errors>` so a headless
/// browser's DOM dump shows them.
pub const ERROR_CATCHER_JS: &str = r#"window.addEventListener("error",function(e){var r=document.documentElement;r.setAttribute("data-js-errors",(r.getAttribute("data-js-errors")||"")+(e.message||"error")+";");});"#;

/// Policy page: the label filter. Each checkbox shows or hides the units of one label through
/// a `show-<label>` class on `<body>` (`filtering` while some box is unchecked). A checklist
/// chip opens the checklist table it links into.
pub const FILTER_JS: &str = r#"(function(){
var body=document.body,boxes=document.querySelectorAll("fieldset.filters input[data-filter]");
function apply(){var all=true;
for(var i=0;i<boxes.length;i++){var b=boxes[i];body.classList.toggle("show-"+b.getAttribute("data-filter"),b.checked);if(!b.checked){all=false;}}
body.classList.toggle("filtering",!all);}
for(var i=0;i<boxes.length;i++){boxes[i].addEventListener("change",apply);}
apply();
var table=document.querySelector("details.checklist"),chips=document.querySelectorAll("ul.checks a");
for(var k=0;k<chips.length;k++){chips[k].addEventListener("click",function(){if(table){table.open=true;}});}
document.documentElement.setAttribute("data-js","ready");
})();"#;

/// Corpus page: sorting the policy table by a column when its header is clicked (numbers by
/// `data-v`, text by its Chinese collation); a second click reverses the order.
pub const SORT_JS: &str = r#"(function(){
var table=document.getElementById("policies");if(!table){return;}
var heads=table.tHead.rows[0].cells,body=table.tBodies[0];
function key(row,col,numeric){var cell=row.cells[col],v=cell.getAttribute("data-v");if(v===null){v=cell.textContent;}return numeric?parseFloat(v):v;}
function sortBy(col){var th=heads[col],numeric=th.classList.contains("num"),dir=th.getAttribute("aria-sort")==="ascending"?-1:1;
var rows=Array.prototype.slice.call(body.rows);
rows.sort(function(a,b){var x=key(a,col,numeric),y=key(b,col,numeric);return dir*(numeric?x-y:String(x).localeCompare(String(y),"zh"));});
for(var i=0;i<rows.length;i++){body.appendChild(rows[i]);}
for(var j=0;j<heads.length;j++){heads[j].removeAttribute("aria-sort");}
th.setAttribute("aria-sort",dir===1?"ascending":"descending");}
for(var c=0;c<heads.length;c++){(function(c){var b=heads[c].querySelector("button");if(b){b.addEventListener("click",function(){sortBy(c);});}})(c);}
document.documentElement.setAttribute("data-js","ready");
})();"#;
