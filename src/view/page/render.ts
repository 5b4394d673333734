/// <reference lib="dom" />
import type { Axis } from './axis.js';
import { CLASSES, FILTERED_COLOUR, USER_COLOUR } from './classes.js';
import type { Column } from './column.js';

/** Which part of the map is on screen: display units at the top of the bands, and pixels per unit. */
export interface View {
  top: number;
  scale: number;
}

/** Where things are drawn (CSS pixels). */
export const GUTTER = 150;
export const HEAD = 34;
const STRIP = 5;
const GAP = 10;

/** A marker label on screen: clicking it zooms to its area. */
export interface MarkerHit {
  x: number;
  y: number;
  w: number;
  h: number;
  column: number;
  marker: number;
}

export function columnBox(width: number, count: number, i: number): { x: number; w: number } {
  const w = (width - GUTTER - GAP * count) / count;
  return { x: GUTTER + i * (w + GAP), w: Math.max(w, 10) };
}

const hex16 = (v: number) => '0x' + v.toString(16).padStart(16, '0');

/** 4K, 1.5M, 127.9T: a size to read at a glance. */
export function sizeText(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T', 'P', 'E'];
  let u = 0;
  let v = bytes;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)}${units[u]}`;
}

/**
 * Draws the map. Only what is on screen is visited: each column starts at
 * the first range ending below the top edge (a binary search) and stops at
 * the bottom edge. Ranges smaller than a pixel still show: every pixel row
 * gets the union of the classes of the ranges in it, drawn side by side, so
 * a single W+X page among thousands of read-only ones stays visible at any
 * zoom.
 */
export function drawMap(
  ctx: CanvasRenderingContext2D,
  width: number,
  height: number,
  columns: readonly Column[],
  axis: Axis,
  view: View,
  crosshair: number | null,
  hover: { column: number; range: number } | null,
): MarkerHit[] {
  ctx.fillStyle = '#14161a';
  ctx.fillRect(0, 0, width, height);
  const rows = Math.max(0, Math.floor(height - HEAD));
  const bottom = view.top + rows / view.scale;
  const y = (d: number) => HEAD + (d - view.top) * view.scale;
  const hits: MarkerHit[] = [];

  drawTicks(ctx, width, axis, view, rows, y);
  columns.forEach((col, ci) => {
    const { x, w } = columnBox(width, columns.length, ci);
    drawColumnHead(ctx, col, x, w);
    drawBands(ctx, col, x, w, rows, view, bottom);
    drawCollapsed(ctx, axis, x, w, view, bottom, y);
    drawMarkers(ctx, col, ci, x, w, view, bottom, y, hits);
    if (hover !== null && hover.column === ci) outline(ctx, col, hover.range, x, w, y, rows);
  });
  if (crosshair !== null && crosshair >= view.top && crosshair < bottom) {
    ctx.fillStyle = '#ffe14d';
    ctx.fillRect(GUTTER - 8, Math.floor(y(crosshair)), width - GUTTER + 8, 1);
  }
  return hits;
}

/** Per pixel row: bits 0-6 the classes shown, 7 a range the filter hides, 8 a user range shown. */
function drawBands(ctx: CanvasRenderingContext2D, col: Column, x: number, w: number, rows: number, view: View, bottom: number): void {
  const mask = new Uint16Array(rows);
  for (let i = col.firstEndingAfter(view.top); i < col.n && col.top[i] < bottom; i++) {
    const c = col.cls[i];
    if (c < 0) continue; // not present: a gap
    const r0 = Math.max(0, Math.floor((col.top[i] - view.top) * view.scale));
    const r1 = Math.min(rows, Math.max(r0 + 1, Math.ceil((col.bottom[i] - view.top) * view.scale)));
    const bits = col.match[i] ? (1 << c) | (col.user[i] << 8) : 1 << 7;
    for (let r = r0; r < r1; r++) mask[r] |= bits;
  }
  const band = w - STRIP - 1;
  for (let r = 0; r < rows; ) {
    const m = mask[r];
    let r1 = r + 1;
    while (r1 < rows && mask[r1] === m) r1++;
    const top = HEAD + r;
    const h = r1 - r;
    if (m & 0x7f) {
      const shown = CLASSES.map((_, c) => c).filter((c) => m & (1 << c));
      shown.forEach((c, k) => {
        ctx.fillStyle = CLASSES[c].colour;
        const x0 = Math.round(x + STRIP + 1 + (band * k) / shown.length);
        const x1 = Math.round(x + STRIP + 1 + (band * (k + 1)) / shown.length);
        ctx.fillRect(x0, top, x1 - x0, h);
      });
    } else if (m & 0x80) {
      ctx.fillStyle = FILTERED_COLOUR;
      ctx.fillRect(x + STRIP + 1, top, band, h);
    }
    if (m & 0x100) {
      ctx.fillStyle = USER_COLOUR;
      ctx.fillRect(x, top, STRIP, h);
    }
    r = r1;
  }
}

function drawColumnHead(ctx: CanvasRenderingContext2D, col: Column, x: number, w: number): void {
  ctx.save();
  ctx.beginPath();
  ctx.rect(x, 0, w, HEAD);
  ctx.clip();
  ctx.fillStyle = '#d8dde6';
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillText(col.info.label, x, 13);
  ctx.fillStyle = '#8a93a3';
  ctx.fillText(`${col.n.toLocaleString('en-US')} ranges`, x, 28);
  ctx.restore();
}

/** Collapsed segments: hatched, labelled with what they hide. */
function drawCollapsed(ctx: CanvasRenderingContext2D, axis: Axis, x: number, w: number, view: View, bottom: number, y: (d: number) => number): void {
  const segments = axis.segments;
  for (let k = axis.segmentIndexAt(view.top); k < segments.length && segments[k].d < bottom; k++) {
    const s = segments[k];
    if (s.kind === 'map') continue;
    const y0 = Math.max(HEAD, Math.floor(y(s.d)));
    const y1 = Math.min(y(bottom), Math.ceil(y(s.d + s.h)));
    // Too thin to show: the compact layout has thousands of one-page separators (see the tooltip's count).
    if (y1 - y0 < 3 && s.kind === 'gap') continue;
    ctx.save();
    ctx.beginPath();
    ctx.rect(x, y0, w, y1 - y0);
    ctx.clip();
    ctx.fillStyle = '#1b1d22';
    ctx.fillRect(x, y0, w, y1 - y0);
    ctx.strokeStyle = s.kind === 'hole' ? '#3a3f48' : '#2a2e36';
    ctx.beginPath();
    for (let k = -(y1 - y0); k < w; k += 8) {
      ctx.moveTo(x + k, y1);
      ctx.lineTo(x + k + (y1 - y0), y0);
    }
    ctx.stroke();
    if (y1 - y0 >= 12) {
      ctx.fillStyle = '#8a93a3';
      ctx.font = '11px system-ui, sans-serif';
      const what = s.kind === 'hole' ? 'non-canonical hole' : `${sizeText(s.end - s.addr)} unmapped`;
      ctx.fillText(`${what} (collapsed)`, x + w - 190, (y0 + y1) / 2 + 4, 180);
    }
    ctx.restore();
  }
}

/** Marker lines across the column; labels where they do not overlap the one above. */
function drawMarkers(
  ctx: CanvasRenderingContext2D,
  col: Column,
  ci: number,
  x: number,
  w: number,
  view: View,
  bottom: number,
  y: (d: number) => number,
  hits: MarkerHit[],
): void {
  ctx.font = '11px system-ui, sans-serif';
  let below = -Infinity; // where the previous label ends
  col.markers.forEach((m, k) => {
    if (m.d < view.top || m.d >= bottom) return;
    const my = Math.floor(y(m.d));
    ctx.fillStyle = '#ffffff55';
    ctx.fillRect(x, my, w, 1);
    // Labels of markers close together stack downwards, tied to their line by a tick; too far and they are left out.
    const ly = Math.max(my + 1, below);
    if (ly - my > 60) return;
    below = ly + 14;
    const tw = Math.min(ctx.measureText(m.name).width + 8, w - 12);
    ctx.fillStyle = '#ffffff88';
    ctx.fillRect(x + 6, my, 1, ly - my + 7);
    ctx.fillStyle = '#000000b0';
    ctx.fillRect(x + 10, ly, tw, 13);
    ctx.fillStyle = '#ffffff';
    ctx.fillText(m.name, x + 14, ly + 10, tw - 8);
    hits.push({ x: x + 10, y: ly, w: tw, h: 13, column: ci, marker: k });
  });
}

function drawTicks(ctx: CanvasRenderingContext2D, width: number, axis: Axis, view: View, rows: number, y: (d: number) => number): void {
  ctx.font = '11px ui-monospace, monospace';
  for (const t of axis.ticks(view.top, view.top + rows / view.scale, 60 / view.scale)) {
    const ty = Math.floor(y(t.d));
    ctx.fillStyle = '#262a31';
    ctx.fillRect(GUTTER - 6, ty, width - GUTTER + 6, 1);
    ctx.fillStyle = '#8a93a3';
    ctx.fillText(hex16(t.addr), 4, ty + 4);
  }
}

function outline(ctx: CanvasRenderingContext2D, col: Column, i: number, x: number, w: number, y: (d: number) => number, rows: number): void {
  const y0 = Math.max(HEAD, Math.floor(y(col.top[i])));
  const y1 = Math.min(HEAD + rows, Math.max(y0 + 1, Math.ceil(y(col.bottom[i]))));
  ctx.strokeStyle = '#ffffff';
  ctx.strokeRect(x + 0.5, y0 + 0.5, w - 1, y1 - y0 - 1);
}
