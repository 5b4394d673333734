/**
 * The in-process baselines of the walk bench: one hand-written loop per arch
 * and mode, single purpose (pte_entry only, no hole reporting, no
 * validation, no generality), over the same memory, handing the same
 * callback the same (entry handle, walk) through an ops object. The ratio
 * walker / baseline is the price of the walker's generality.
 *
 * Each baseline knows its mode's entry format by heart (the bit positions
 * are those the arch codecs implement, from the kernel headers named there).
 */

const TWO32 = 4294967296;

/** Points the walk at a pte table the way the walker does, so accessors take their fast path. */
function enterPte(w, handles, words, base, pa) {
  const h0 = handles.idOf(pa, 4) << handles.strideShift;
  w.cWords = words;
  w.cWord0 = base;
  w.cHandle0 = h0;
  w.cEntries = 512;
  w.cDepth = 4;
  return h0;
}

function ptes(w, mem, handles, ops, tablePa, idx0, n, a, entries, pageSize) {
  const words = mem.tableWords(tablePa, entries * 8);
  const base = mem.wordBase;
  const h0 = enterPte(w, handles, words, base, tablePa);
  w.cEntries = entries;
  const first = idx0 | 0; // Math.floor() results are doubles to V8: keep handles int32 so they pass unboxed
  if (ops.pteRange !== undefined) {
    // the batch op: one call for the run
    w.ptes = words;
    w.pteWord = base + 2 * first;
    w.addr = a;
    w.next = a + n * pageSize;
    return ops.pteRange((h0 + first) | 0, n | 0, w);
  }
  const cb = ops.pteEntry;
  // `+`: a loop variable starting from a parameter stays boxed in V8 unless the first iteration is peeled (DESIGN.md)
  let pa = +a;
  for (let i = first; i < first + n; i++) {
    w.addr = pa;
    w.next = pa + pageSize;
    const err = cb((h0 + i) | 0, w);
    if (err) return err;
    pa += pageSize;
  }
  return 0;
}

/** x86-64 4-level: pgd(39) -> pud(30) -> pmd(21) -> pte(12); none ignores A|D; PSE bit 7 marks leaves. */
export function x86Dense(w, mem, handles, ops, root, start, end) {
  for (let a = +start; a < end; ) {
    let words = mem.tableWords(root, 4096);
    let i = 2 * (Math.floor(a / 2 ** 39) % 512) + mem.wordBase;
    let lo = words[i], hi = words[i + 1];
    if ((lo & ~0x60) === 0 && hi === 0) { a = (Math.floor(a / 2 ** 39) + 1) * 2 ** 39; continue; }
    const pud = (hi & 0xfffff) * TWO32 + ((lo & 0xfffff000) >>> 0);
    words = mem.tableWords(pud, 4096);
    i = 2 * (Math.floor(a / 2 ** 30) % 512) + mem.wordBase;
    lo = words[i]; hi = words[i + 1];
    if ((lo & ~0x60) === 0 && hi === 0 || (lo & 0x80) !== 0) { a = (Math.floor(a / 2 ** 30) + 1) * 2 ** 30; continue; }
    const pmd = (hi & 0xfffff) * TWO32 + ((lo & 0xfffff000) >>> 0);
    const pmdWords = mem.tableWords(pmd, 4096);
    const pmdBase = mem.wordBase;
    const pudEnd = Math.min(end, (Math.floor(a / 2 ** 30) + 1) * 2 ** 30);
    for (; a < pudEnd; a = (Math.floor(a / 2 ** 21) + 1) * 2 ** 21) {
      const j = pmdBase + 2 * (Math.floor(a / 2 ** 21) % 512);
      const plo = pmdWords[j], phi = pmdWords[j + 1];
      if ((plo & ~0x60) === 0 && phi === 0 || (plo & 0x80) !== 0) continue;
      const pte = (phi & 0xfffff) * TWO32 + ((plo & 0xfffff000) >>> 0);
      const pmdEnd = Math.min(end, (Math.floor(a / 2 ** 21) + 1) * 2 ** 21);
      const err = ptes(w, mem, handles, ops, pte, Math.floor(a / 4096) % 512, (pmdEnd - a) / 4096, a, 512, 4096);
      if (err) return err;
    }
  }
  return 0;
}

/** x86-64 4-level, pmd leaves only (huge-2m): the same descent, pmd_entry for every present pmd. */
export function x86Pmd(w, mem, handles, ops, root, start, end) {
  const cb = ops.pmdEntry;
  for (let a = +start; a < end; ) {
    let words = mem.tableWords(root, 4096);
    let i = 2 * (Math.floor(a / 2 ** 39) % 512) + mem.wordBase;
    let lo = words[i], hi = words[i + 1];
    if ((lo & ~0x60) === 0 && hi === 0) { a = (Math.floor(a / 2 ** 39) + 1) * 2 ** 39; continue; }
    const pud = (hi & 0xfffff) * TWO32 + ((lo & 0xfffff000) >>> 0);
    words = mem.tableWords(pud, 4096);
    i = 2 * (Math.floor(a / 2 ** 30) % 512) + mem.wordBase;
    lo = words[i]; hi = words[i + 1];
    if ((lo & ~0x60) === 0 && hi === 0 || (lo & 0x80) !== 0) { a = (Math.floor(a / 2 ** 30) + 1) * 2 ** 30; continue; }
    const pmd = (hi & 0xfffff) * TWO32 + ((lo & 0xfffff000) >>> 0);
    const pmdWords = mem.tableWords(pmd, 4096);
    const pmdBase = mem.wordBase;
    const h0 = handles.idOf(pmd, 3) << handles.strideShift;
    w.cWords = pmdWords; w.cWord0 = pmdBase; w.cHandle0 = h0; w.cEntries = 512; w.cDepth = 3;
    const pudEnd = Math.min(end, (Math.floor(a / 2 ** 30) + 1) * 2 ** 30);
    for (; a < pudEnd; a += 2 ** 21) {
      const k = (Math.floor(a / 2 ** 21) % 512) | 0;
      const plo = pmdWords[pmdBase + 2 * k], phi = pmdWords[pmdBase + 2 * k + 1];
      if ((plo & ~0x60) === 0 && phi === 0) continue;
      w.addr = a;
      w.next = a + 2 ** 21;
      const err = cb(h0 + k, w);
      if (err) return err;
    }
  }
  return 0;
}

/** riscv Sv39: pgd(30, checked as pud) -> pmd(21) -> pte(12); PPN at bit 10; leaf = any of R|W|X. */
export function riscvDense(w, mem, handles, ops, root, start, end) {
  const ppn = (lo, hi) => (hi & 0x3fffff) * 2 ** 34 + (lo >>> 10) * 4096;
  for (let a = +start; a < end; ) {
    const words = mem.tableWords(root, 4096);
    const i = 2 * (Math.floor(a / 2 ** 30) % 512) + mem.wordBase;
    const lo = words[i], hi = words[i + 1];
    const gEnd = Math.min(end, (Math.floor(a / 2 ** 30) + 1) * 2 ** 30);
    if ((lo | hi) === 0 || (lo & 0xe) !== 0 || (lo & 1) === 0) { a = gEnd; continue; }
    const pmdWords = mem.tableWords(ppn(lo, hi), 4096);
    const pmdBase = mem.wordBase;
    for (; a < gEnd; a = (Math.floor(a / 2 ** 21) + 1) * 2 ** 21) {
      const j = pmdBase + 2 * (Math.floor(a / 2 ** 21) % 512);
      const plo = pmdWords[j], phi = pmdWords[j + 1];
      if ((plo | phi) === 0 || (plo & 0xe) !== 0 || (plo & 1) === 0) continue;
      const pmdEnd = Math.min(end, (Math.floor(a / 2 ** 21) + 1) * 2 ** 21);
      const err = ptes(w, mem, handles, ops, ppn(plo, phi), Math.floor(a / 4096) % 512, (pmdEnd - a) / 4096, a, 512, 4096);
      if (err) return err;
    }
  }
  return 0;
}

/** arm64 4K granule, 48-bit VA: pgd(39) -> pud(30) -> pmd(21) -> pte(12); bits[1:0] 0b11 = table; OA bits 47:12. */
export function arm64Dense(w, mem, handles, ops, root, start, end) {
  const oa = (lo, hi) => (hi & 0xffff) * TWO32 + ((lo & 0xfffff000) >>> 0);
  for (let a = +start; a < end; ) {
    let words = mem.tableWords(root, 4096);
    let i = 2 * (Math.floor(a / 2 ** 39) % 512) + mem.wordBase;
    let lo = words[i], hi = words[i + 1];
    if ((lo & 3) !== 3) { a = (Math.floor(a / 2 ** 39) + 1) * 2 ** 39; continue; }
    words = mem.tableWords(oa(lo, hi), 4096);
    i = 2 * (Math.floor(a / 2 ** 30) % 512) + mem.wordBase;
    lo = words[i]; hi = words[i + 1];
    if ((lo & 3) !== 3) { a = (Math.floor(a / 2 ** 30) + 1) * 2 ** 30; continue; }
    const pmdWords = mem.tableWords(oa(lo, hi), 4096);
    const pmdBase = mem.wordBase;
    const pudEnd = Math.min(end, (Math.floor(a / 2 ** 30) + 1) * 2 ** 30);
    for (; a < pudEnd; a = (Math.floor(a / 2 ** 21) + 1) * 2 ** 21) {
      const j = pmdBase + 2 * (Math.floor(a / 2 ** 21) % 512);
      const plo = pmdWords[j], phi = pmdWords[j + 1];
      if ((plo & 3) !== 3) continue;
      const pmdEnd = Math.min(end, (Math.floor(a / 2 ** 21) + 1) * 2 ** 21);
      const err = ptes(w, mem, handles, ops, oa(plo, phi), Math.floor(a / 4096) % 512, (pmdEnd - a) / 4096, a, 512, 4096);
      if (err) return err;
    }
  }
  return 0;
}

/**
 * loongarch 16K pages, 3 levels: pgd(36) -> pmd(25) -> pte(14), 2048 entries a table; directory
 * entries hold the table's 0x9000... window address and empty ones point at invalid_pmd/pte_table.
 */
export function loongarchDense(w, mem, handles, ops, root, start, end, invalid) {
  const invPmdHi = Math.floor(invalid.pmd / TWO32) | 0, invPmdLo = (invalid.pmd % TWO32) | 0;
  const invPteHi = Math.floor(invalid.pte / TWO32) | 0, invPteLo = (invalid.pte % TWO32) | 0;
  const pa = (lo, hi) => ((hi >>> 0) - 0x90000000) * TWO32 + (lo >>> 0);
  for (let a = +start; a < end; ) {
    const words = mem.tableWords(root, 16384);
    const i = 2 * (Math.floor(a / 2 ** 36) % 2048) + mem.wordBase;
    const lo = words[i], hi = words[i + 1];
    const gEnd = Math.min(end, (Math.floor(a / 2 ** 36) + 1) * 2 ** 36);
    if (lo === invPmdLo && hi === invPmdHi) { a = gEnd; continue; }
    const pmdWords = mem.tableWords(pa(lo, hi), 16384);
    const pmdBase = mem.wordBase;
    for (; a < gEnd; a = (Math.floor(a / 2 ** 25) + 1) * 2 ** 25) {
      const j = pmdBase + 2 * (Math.floor(a / 2 ** 25) % 2048);
      const plo = pmdWords[j], phi = pmdWords[j + 1];
      if ((plo === invPteLo && phi === invPteHi) || (plo & 0x40) !== 0) continue;
      const pmdEnd = Math.min(end, (Math.floor(a / 2 ** 25) + 1) * 2 ** 25);
      const err = ptes(w, mem, handles, ops, pa(plo, phi), Math.floor(a / 16384) % 2048, (pmdEnd - a) / 16384, a, 2048, 16384);
      if (err) return err;
    }
  }
  return 0;
}
