/// <reference lib="dom" />
/**
 * The page of `pagewalk view`: reads the data the HTML embeds, draws the map
 * and answers the mouse and the toolbar. Plain DOM and one canvas; the
 * translations are the library's own (trace.ts).
 */
import type { RangeJson, ViewData } from '../data.js';
import { Axis } from './axis.js';
import { CLASSES, USER_COLOUR, WX } from './classes.js';
import { Column, type Filter, type Totals } from './column.js';
import { HEAD, columnBox, drawMap, sizeText, type MarkerHit, type View } from './render.js';
import { Tracer } from './trace.js';

const LEVEL_ORDER = ['pgd', 'p4d', 'pud', 'pmd', 'pte'];
/** Most zoom: a base page this many pixels tall. */
const MAX_PAGE_PX = 64;
/** "Go to" an address: a base page this tall, the page centred. */
const GOTO_PAGE_PX = 16;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const json = <T>(id: string): T => JSON.parse($(id).textContent ?? '') as T;

const data = json<ViewData>('pagewalk-data');
const columns = json<RangeJson[][]>('pagewalk-ranges').map((ranges, i) => new Column(data.columns[i], ranges));
const halves = [data.lower, data.upper].map(([s, e]) => [Number(s), Number(e)] as [number, number]);
/** The two layouts of the axis (see axis.ts); the compact one is shown first. */
const axes = {
  compact: Axis.compact(
    halves[0],
    halves[1],
    data.pageSize,
    columns.map((c) => c.present()),
    columns.flatMap((c) => c.markers.map((m) => m.start)),
  ),
  linear: new Axis(halves[0], halves[1], data.pageSize),
};
let axis = axes.compact;
for (const c of columns) c.layout(axis);
const tracer = new Tracer(data);

const canvas = $<HTMLCanvasElement>('canvas');
const ctx = canvas.getContext('2d')!;
const tip = $<HTMLDivElement>('tip');
let width = 0;
let height = 0;
const view: View = { top: 0, scale: 1 };
/** The address last clicked or typed, marked across the map. */
let crosshair: number | null = null;
let hover: { column: number; range: number } | null = null;
let hits: MarkerHit[] = [];
let frame = 0;

function rows(): number {
  return Math.max(1, height - HEAD);
}

function fit(): void {
  view.scale = rows() / axis.total;
  view.top = 0;
}

/** Keeps the zoom between "whole map" and MAX_PAGE_PX per page, and some of the map on screen. */
function clamp(): void {
  view.scale = Math.min(Math.max(view.scale, rows() / axis.total / 2), MAX_PAGE_PX / data.pageSize);
  const span = rows() / view.scale;
  view.top = Math.min(Math.max(view.top, -span / 2), axis.total - span / 2);
}

function redraw(): void {
  if (frame !== 0) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    ctx.setTransform(devicePixelRatio, 0, 0, devicePixelRatio, 0, 0);
    hits = drawMap(ctx, width, height, columns, axis, view, crosshair === null ? null : axis.toDisplay(crosshair), hover);
  });
}

function resize(): void {
  const first = width === 0;
  width = canvas.clientWidth;
  height = canvas.clientHeight;
  canvas.width = Math.round(width * devicePixelRatio);
  canvas.height = Math.round(height * devicePixelRatio);
  if (first) fit();
  clamp();
  redraw();
}

/** The column under x, or -1. */
function columnAt(x: number): number {
  for (let i = 0; i < columns.length; i++) {
    const b = columnBox(width, columns.length, i);
    if (x >= b.x && x < b.x + b.w) return i;
  }
  return -1;
}

const displayAt = (y: number) => view.top + (y - HEAD) / view.scale;

// ---- hover: the range under the pointer ----

const hex16 = (v: number) => '0x' + v.toString(16).padStart(16, '0');

function describe(col: Column, i: number, y: number): string {
  const r = col.ranges[i];
  const perms = `${r.user ? 'u' : '-'}${r.read ? 'r' : '-'}${r.write ? 'w' : '-'}${r.exec ? 'x' : '-'}${r.global ? 'g' : '-'}`;
  const lines = [
    `${r.start}-${r.end}`,
    `size   ${sizeText(col.end[i] - col.start[i])} (${r.size})`,
    `level  ${r.level}${r.present ? '' : '   not present'}`,
  ];
  if (r.present) {
    lines.push(`perms  ${perms}  ${CLASSES[col.cls[i]].label}${r.user ? ' user' : ' kernel'} (effective)`);
    lines.push(`phys   ${r.phys ?? '(not contiguous)'}`);
  }
  lines.push(`flags  ${r.flags.join(' ') || '-'}`);
  const more = col.countIn(displayAt(Math.floor(y)), displayAt(Math.floor(y) + 1)) - 1;
  if (more > 0) lines.push(`+ ${more.toLocaleString('en-US')} more in this pixel row: zoom in`);
  return lines.join('\n');
}

function onHover(x: number, y: number): void {
  const c = columnAt(x);
  const addr = y >= HEAD ? axis.toAddress(displayAt(y)) : null;
  const i = c >= 0 && addr !== null ? columns[c].find(addr) : -1;
  const next = i >= 0 ? { column: c, range: i } : null;
  if (next?.column !== hover?.column || next?.range !== hover?.range) {
    hover = next;
    redraw();
  }
  const seg = c >= 0 && y >= HEAD && addr === null ? axis.segmentAtDisplay(displayAt(y)) : null;
  if (i < 0 && (seg === null || seg.kind === 'map')) {
    tip.hidden = true;
    return;
  }
  tip.textContent =
    i >= 0
      ? describe(columns[c], i, y)
      : `${hex16(seg!.addr)}-${hex16(seg!.end)}\n${sizeText(seg!.end - seg!.addr)}, ${
          seg!.kind === 'hole' ? 'the non-canonical hole' : 'mapped in no column'
        } (collapsed)`;
  tip.hidden = false;
  const box = canvas.getBoundingClientRect();
  tip.style.left = `${Math.min(x + 16, box.width - tip.offsetWidth - 4)}px`;
  tip.style.top = `${Math.min(y + 16, box.height - tip.offsetHeight - 4)}px`;
}

// ---- click and the address box: translations ----

function showTraces(va: bigint): void {
  const out = $<HTMLDivElement>('traces');
  out.replaceChildren();
  columns.forEach((col, c) => {
    const h = document.createElement('h3');
    h.textContent = col.info.label;
    h.style.cssText = 'font-size:12px;margin:6px 0 0;';
    const pre = document.createElement('pre');
    const t = tracer.trace(c, va);
    pre.className = t.error ? 'trace error' : 'trace';
    pre.dataset.column = String(c);
    pre.textContent = t.text;
    out.append(h, pre);
  });
}

function parseAddress(text: string): bigint | null {
  const t = text.trim().replace(/_/g, '');
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) return null;
  const v = BigInt(t);
  return v < 1n << 64n ? v : null;
}

/** Centres the page holding `va` at GOTO_PAGE_PX per page (when it is in a canonical half; in a collapsed stretch, that stretch). */
function goTo(va: bigint): void {
  const page = Number(va - (va % BigInt(data.pageSize)));
  const d = axis.toDisplay(page);
  if (axis.segmentAtDisplay(d).kind === 'hole') return; // non-canonical: nowhere on the map
  view.scale = GOTO_PAGE_PX / data.pageSize;
  view.top = d + data.pageSize / 2 - rows() / 2 / view.scale;
  crosshair = page;
  clamp();
  redraw();
}

function translateBox(): void {
  const input = $<HTMLInputElement>('addr');
  const va = parseAddress(input.value);
  if (va === null) {
    $<HTMLDivElement>('traces').textContent = `not an address: ${JSON.stringify(input.value)} (use 0x... hex or decimal, below 2^64)`;
    return;
  }
  showTraces(va);
  goTo(va);
}

function onClick(x: number, y: number): void {
  const hit = hits.find((h) => x >= h.x && x < h.x + h.w && y >= h.y && y < h.y + h.h);
  if (hit !== undefined) {
    zoomToMarker(hit);
    return;
  }
  const addr = y >= HEAD && columnAt(x) >= 0 ? axis.toAddress(displayAt(y)) : null;
  if (addr === null) return;
  const va = BigInt(addr);
  $<HTMLInputElement>('addr').value = hex16(addr);
  crosshair = addr;
  showTraces(va);
  redraw();
}

/** Zooms to a marker's area: from it to the next marker of the column (or the end of the map). */
function zoomToMarker(hit: MarkerHit): void {
  const markers = columns[hit.column].markers;
  const from = markers[hit.marker].d;
  const later = markers.slice(hit.marker + 1).find((m) => m.d > from);
  zoomTo(from, later?.d ?? axis.total);
}

/** Shows display positions [from, to). */
function zoomTo(from: number, to: number): void {
  view.scale = rows() / Math.max(to - from, data.pageSize);
  view.top = from;
  clamp();
  redraw();
}

/**
 * The page's address (file:///…/view.html#0xffffffff80000000-0xffffffffc0000000)
 * opens that range of the map, or translates and centres one address
 * (#0xffffffff81000000), so that a view can be bookmarked or shared.
 */
function openFromHash(): void {
  const m = /^#(0x[0-9a-f]+|\d+)(?:-(0x[0-9a-f]+|\d+))?$/i.exec(location.hash);
  if (m === null) return;
  if (m[2] === undefined) {
    $<HTMLInputElement>('addr').value = m[1];
    translateBox();
  } else {
    zoomTo(axis.toDisplay(Number(m[1])), axis.toDisplay(Number(m[2])));
  }
}

/** Switches the axis, keeping the address at the centre of the screen where it was. */
function setLayout(which: keyof typeof axes): void {
  const centre = axis.toAddress(displayAt(HEAD + rows() / 2));
  axis = axes[which];
  for (const c of columns) c.layout(axis);
  if (centre === null) fit();
  else view.top = axis.toDisplay(centre) - rows() / 2 / view.scale;
  clamp();
  redraw();
}

// ---- filters and totals ----

function filter(): Filter {
  const levels = new Set<string>();
  document.querySelectorAll<HTMLInputElement>('#levels input').forEach((box) => {
    if (box.checked) levels.add(box.value);
  });
  return { perm: $<HTMLSelectElement>('perm').value, levels };
}

function applyFilter(): void {
  const f = filter();
  renderTotals(columns.map((c) => c.filter(f)));
  redraw();
}

/** One table per column: bytes mapped per permission class, kernel and user. */
function renderTotals(totals: Totals[]): void {
  const tables = totals.map((t, i) => {
    const table = document.createElement('table');
    table.dataset.column = String(i);
    const title = document.createElement('p');
    title.className = 'caption';
    title.textContent = `${columns[i].info.label}: ${t.ranges.toLocaleString('en-US')} present ranges`;
    const head = table.insertRow();
    for (const text of ['class', 'kernel', 'user']) head.append(Object.assign(document.createElement('th'), { textContent: text }));
    CLASSES.forEach((cls, c) => {
      if (t.kernel[c] === 0 && t.user[c] === 0) return;
      const row = table.insertRow();
      row.dataset.class = cls.label;
      if (c === WX) row.className = 'wx';
      row.insertCell().textContent = cls.label;
      for (const bytes of [t.kernel[c], t.user[c]]) {
        const cell = row.insertCell();
        cell.textContent = bytes === 0 ? '-' : sizeText(bytes);
        cell.title = `${bytes.toLocaleString('en-US')} bytes`;
      }
    });
    return [title, table];
  });
  $<HTMLDivElement>('totals').replaceChildren(...tables.flat());
}

function setUpToolbar(): void {
  const present = new Set(columns.flatMap((c) => c.ranges.map((r) => r.level)));
  const levels = [...LEVEL_ORDER.filter((l) => present.has(l)), ...[...present].filter((l) => !LEVEL_ORDER.includes(l))];
  const holder = $<HTMLSpanElement>('levels');
  for (const l of levels) {
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = l;
    box.checked = true;
    box.addEventListener('change', applyFilter);
    label.append(box, ` ${l}`);
    holder.append(label);
  }
  $<HTMLSelectElement>('perm').addEventListener('change', applyFilter);
  $<HTMLButtonElement>('go').addEventListener('click', translateBox);
  $<HTMLInputElement>('addr').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') translateBox();
  });
  $<HTMLInputElement>('compact').addEventListener('change', (e) => setLayout((e.target as HTMLInputElement).checked ? 'compact' : 'linear'));
  $<HTMLButtonElement>('fit').addEventListener('click', () => {
    fit();
    redraw();
  });

  const legend = $<HTMLUListElement>('legend');
  const item = (colour: string, text: string) => {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = colour;
    li.append(sw, text);
    legend.append(li);
  };
  for (const c of CLASSES) item(c.colour, `${c.label}: ${c.what}`);
  item(USER_COLOUR, 'left strip: user accessible');
  item('#3a3f48', 'hidden by the filter');

  const list = $<HTMLOListElement>('columns');
  columns.forEach((col) => {
    const li = document.createElement('li');
    li.dataset.ranges = String(col.n);
    li.textContent = `${col.info.label}: ${col.n.toLocaleString('en-US')} ranges, ${col.markers.length} markers`;
    list.append(li);
  });
}

// ---- pointer: pan, zoom, hover, click ----

function setUpPointer(): void {
  let drag: { x: number; y: number; top: number; moved: boolean } | null = null;
  const at = (e: MouseEvent) => {
    const b = canvas.getBoundingClientRect();
    return { x: e.clientX - b.left, y: e.clientY - b.top };
  };
  canvas.addEventListener('pointerdown', (e) => {
    const p = at(e);
    drag = { ...p, top: view.top, moved: false };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener('pointermove', (e) => {
    const p = at(e);
    if (drag === null) return onHover(p.x, p.y);
    if (Math.abs(p.y - drag.y) + Math.abs(p.x - drag.x) > 3) drag.moved = true;
    if (!drag.moved) return;
    tip.hidden = true;
    view.top = drag.top - (p.y - drag.y) / view.scale;
    clamp();
    redraw();
  });
  canvas.addEventListener('pointerup', (e) => {
    const p = at(e);
    if (drag !== null && !drag.moved) onClick(p.x, p.y);
    drag = null;
  });
  canvas.addEventListener('pointerleave', () => {
    tip.hidden = true;
  });
  canvas.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      const p = at(e);
      const d = displayAt(p.y);
      view.scale *= Math.exp(-e.deltaY * 0.002);
      clamp();
      view.top = d - (p.y - HEAD) / view.scale;
      clamp();
      redraw();
    },
    { passive: false },
  );
  new ResizeObserver(resize).observe(canvas);
}

setUpToolbar();
setUpPointer();
applyFilter();
resize();
openFromHash();
const total = columns.reduce((n, c) => n + c.n, 0);
$<HTMLSpanElement>('status').textContent = `${total.toLocaleString('en-US')} ranges · ready in ${Math.round(performance.now())} ms · ${data.generator}`;
document.documentElement.dataset.ready = 'true';
