import type { ViewData } from './data.js';

/**
 * The view's HTML page: one self-contained file (styles, data and script
 * inline; nothing fetched, so it works from file://). Written as lines so
 * that a 130,000-range dump streams out one range a line, as
 * `ptdump --format json` prints them, and never sits in one string.
 */
export function viewHtml(data: ViewData, ranges: readonly (readonly string[])[], script: string, emit: (line: string) => void): void {
  // A script element ends at the first `</script`; `<!--` changes how it is parsed.
  if (/<\/script|<!--/i.test(script)) throw new Error('the page script contains </script or <!--: it cannot be inlined');
  const title = `pagewalk view: ${data.arch} ${data.mode}, ${data.images.map((i) => i.name).join(', ')}`;
  emit('<!doctype html>');
  emit('<html lang="en">');
  emit('<head>');
  emit('<meta charset="utf-8">');
  emit('<meta name="viewport" content="width=device-width, initial-scale=1">');
  emit('<link rel="icon" href="data:,">'); // no favicon request: the page fetches nothing
  emit(`<title>${escapeHtml(title)}</title>`);
  emit(`<style>${STYLE}</style>`);
  emit('</head>');
  emit('<body>');
  emit(BODY.replace('%WHAT%', escapeHtml(`${data.arch} ${data.mode} · ${data.images.map((i) => i.name).join(' · ')}`)));
  emit(`<script type="application/json" id="pagewalk-data">${jsonInScript(JSON.stringify(data))}</script>`);
  // The ranges: `ptdump --format json`'s lines unchanged, one array per column.
  emit('<script type="application/json" id="pagewalk-ranges">[');
  ranges.forEach((column, c) => {
    emit('[');
    for (let i = 0; i < column.length; i++) emit(jsonInScript(column[i]) + (i < column.length - 1 ? ',' : ''));
    emit(c < ranges.length - 1 ? '],' : ']');
  });
  emit(']</script>');
  emit(`<script>${script}</script>`);
  emit('</body>');
  emit('</html>');
}

/** JSON inside a script element: `<` can only occur in strings, where \u003c means the same. */
function jsonInScript(json: string): string {
  return json.replace(/</g, '\\u003c');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const BODY = `<header>
  <h1>pagewalk view</h1><span id="what">%WHAT%</span><span id="status">loading…</span>
</header>
<nav id="toolbar">
  <label>address <input id="addr" placeholder="0xffffffff81000000" spellcheck="false" autocomplete="off" size="22"></label>
  <button id="go">translate</button>
  <label>show <select id="perm">
    <option value="all">all</option>
    <option value="wx">W+X only</option>
    <option value="user">user only</option>
    <option value="kernel">kernel only</option>
    <option value="exec">executable</option>
    <option value="write">writable</option>
    <option value="ro">read-only</option>
  </select></label>
  <span id="levels">levels</span>
  <label title="collapse every large stretch that no column maps (unchecked: the address space to scale, but for the non-canonical hole)"><input type="checkbox" id="compact" checked> compact</label>
  <button id="fit" title="show the whole address space">fit</button>
  <span class="hint">wheel: zoom · drag: pan · click: translate · click a marker: zoom to its area</span>
</nav>
<main>
  <div id="map"><canvas id="canvas"></canvas><div id="tip" hidden></div></div>
  <aside>
    <section><h2>Columns</h2><ol id="columns"></ol></section>
    <section><h2>Legend</h2><ul id="legend"></ul></section>
    <section><h2>Totals <small>(present ranges shown by the filter)</small></h2><div id="totals"></div></section>
    <section><h2>Translation</h2><div id="traces"><p class="hint">Click the map or type an address.</p></div></section>
  </aside>
</main>`;

const STYLE = `
:root { color-scheme: dark; --bg: #14161a; --panel: #1c1f25; --line: #2c313a; --text: #d8dde6; --dim: #8a93a3; }
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; background: var(--bg); color: var(--text); font: 13px system-ui, sans-serif; }
body { display: flex; flex-direction: column; }
header { display: flex; gap: 1em; align-items: baseline; padding: 6px 10px; border-bottom: 1px solid var(--line); }
h1 { font-size: 15px; margin: 0; }
h2 { font-size: 13px; margin: 0 0 6px; color: var(--dim); font-weight: 600; }
h2 small { font-weight: normal; }
#what, #status, .hint { color: var(--dim); }
#status { margin-left: auto; }
nav { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; padding: 6px 10px; border-bottom: 1px solid var(--line); }
input, select, button { background: var(--panel); color: var(--text); border: 1px solid var(--line); border-radius: 3px; padding: 2px 6px; font: inherit; }
input#addr { font-family: ui-monospace, monospace; }
#levels label { margin-right: 6px; }
main { flex: 1; display: flex; min-height: 0; }
#map { flex: 1; position: relative; min-width: 0; }
canvas { position: absolute; inset: 0; width: 100%; height: 100%; cursor: crosshair; touch-action: none; }
#tip { position: absolute; pointer-events: none; background: #000d; border: 1px solid var(--line); padding: 6px 8px;
  font: 12px ui-monospace, monospace; white-space: pre; z-index: 2; max-width: 60ch; overflow: hidden; }
aside { width: min(800px, 50vw); overflow: auto; border-left: 1px solid var(--line); padding: 8px 10px; }
section { margin-bottom: 14px; }
ol, ul { margin: 0; padding-left: 18px; }
#legend { list-style: none; padding: 0; columns: 2; }
.swatch { display: inline-block; width: 14px; height: 10px; margin-right: 6px; vertical-align: -1px; border-radius: 2px; }
table { border-collapse: collapse; font: 12px ui-monospace, monospace; margin-bottom: 8px; }
p.caption { margin: 0 0 2px; color: var(--dim); }
td, th { padding: 1px 8px 1px 0; text-align: right; }
td:first-child, th:first-child { text-align: left; }
tr.wx td { color: #ff5a6e; font-weight: bold; }
pre.trace { font: 11px ui-monospace, monospace; background: var(--panel); padding: 6px; margin: 4px 0 10px; overflow-x: auto; }
pre.trace.error { color: #ff8a8a; }
`;
