/** The review page's stylesheet (inlined under the page's nonce). */
export const CSS = `
*{box-sizing:border-box}body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
header{position:sticky;top:0;background:#1d2330;color:#fff;padding:6px 16px;display:flex;gap:6px 16px;align-items:center;flex-wrap:wrap;z-index:2}
header h1{font-size:16px;margin:0}#counts{font-weight:600}#msg{color:#ffd479;flex-basis:100%;min-height:0}#msg:empty{display:none}
.bar{display:flex;gap:6px 10px;flex-wrap:wrap;align-items:center;padding:6px 16px;background:#fff;border-bottom:1px solid #dde}
label{font-size:12px;color:#445}input,select,button{font:inherit}input[type=number]{width:5em}
button{border:1px solid #778;border-radius:4px;background:#fff;padding:2px 8px;cursor:pointer;color:#1d2330}button.primary{background:#2456d6;color:#fff;border-color:#2456d6}
button.danger{background:#b42318;color:#fff;border-color:#b42318}button:disabled{opacity:.5;cursor:default}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.panel{margin:0 16px;padding:8px 12px;background:#fffbe8;border:1px solid #e5c96b;border-radius:6px}.panel ul{margin:4px 0;padding-left:18px}
main{padding:10px 16px;display:flex;flex-direction:column;gap:10px}
.item{background:#fff;border:1px solid #dde;border-radius:6px;padding:10px 12px}.item.sel{border-color:#2456d6;box-shadow:0 0 0 2px #2456d6}
.item:focus{outline:none}.item:focus-visible{outline:3px solid #f59e0b}
.item.decided{background:#f4fbf6}.head{display:flex;gap:4px 10px;align-items:baseline;flex-wrap:wrap}
.name{font-size:16px;font-weight:600;white-space:pre-wrap;overflow-wrap:anywhere}.tag{font-size:11px;padding:1px 6px;border-radius:8px;background:#eef}
.tag.saving{background:#e6ecfb;font-size:12px}header .meta{color:#c8cdd8}.tag.review{background:#fff4d6}.tag.ambiguous{background:#ffe2e0}.tag.unmatched{background:#e8e8e8}.tag.decision{background:#d9f5e0;font-size:12px}
.meta{color:#445;font-size:12px}.cands{margin:6px 0 0;padding:0;list-style:none;display:flex;flex-direction:column;gap:4px}
.cand{display:grid;grid-template-columns:2em minmax(10em,1fr) 8em 3.5em auto auto;gap:4px 8px;align-items:center}
.cname{overflow-wrap:anywhere}.cnum{display:block;font-size:11px;color:#445}
.score{height:10px;background:#e6e8ee;border-radius:5px;overflow:hidden}.score>div{height:100%;background:#2456d6}
.score.low>div{background:#c98a00}details{font-size:12px;color:#334}summary{cursor:pointer}
.wf{display:grid;grid-template-columns:minmax(8em,max-content) 8em 4em;gap:2px 8px;align-items:center;margin:4px 0}
.wf .b{height:8px;background:#e6e8ee;position:relative}.wf .b>div{position:absolute;top:0;height:100%;background:#2456d6}.wf .b>div.neg{background:#b42318}
.wf .v{text-align:right;font-variant-numeric:tabular-nums}.wf .tot{font-weight:600}.toks{margin:2px 0}.toks b{color:#176b2c}.toks s{color:#b42318}
.actions{display:flex;gap:6px;margin-top:6px;flex-wrap:wrap}kbd{border:1px solid #aab;border-radius:3px;padding:0 3px;font-size:11px}
.confirm{margin-top:6px;padding:6px;background:#fff4d6;border-radius:4px}
.help{font-size:12px;color:#ccd}.pager{display:flex;gap:8px;align-items:center;padding:6px 16px}
@media (max-width:600px){
 header{padding:4px 8px;gap:2px 8px}header h1{font-size:14px}.help,.kbdhint,.cand kbd,header .tenant{display:none}#plan{display:none}
 .bar{padding:4px 8px;gap:4px 6px}main{padding:8px;gap:8px}.item{padding:8px}.panel{margin:0 8px}
 .cand{grid-template-columns:1fr auto;border-top:1px solid #eef;padding-top:4px}.cand .score{grid-column:1}.cand .num{grid-column:2}
 .cand details{grid-column:1 / -1}.cand .pick{grid-column:2;grid-row:1}.wf{grid-template-columns:1fr 5em 3.5em}
 .actions button{flex:1 1 40%}
}
`;
