/**
 * forEachLeaf() decodes each kind of leaf once (leaves that differ only in
 * their address bits share their flags and effective permissions). That
 * sharing must never change an answer: on random tables of every mode,
 * every leaf's shared flags equal its own full decoding, and its level,
 * output address and effective permissions equal what translate() — an
 * independent walk that combines the directory entries itself — says for
 * the leaf's address.
 */
import { describe, expect, it } from 'vitest';
import { allModes, forEachLeaf } from '../../src/index.js';
import { buildRandomImage, mulberry32 } from '../walk/random-tables.js';

describe('leaf kinds: shared decodings agree with decoding every leaf', () => {
  for (const arch of allModes()) {
    it(`${arch.arch} ${arch.mode}`, () => {
      let leaves = 0;
      for (let seed = 1; seed <= 6; seed++) {
        const rng = mulberry32(0x1eaf0000 + seed);
        const img = buildRandomImage(arch, rng, { user: seed % 2 === 0, targets: 24, oddness: 0.3 });
        forEachLeaf(img.mm, (l) => {
          leaves++;
          const context = `${arch.arch} ${arch.mode} seed ${seed} va 0x${l.va.toString(16)}`;
          expect(l.flags, context).toEqual(l.entry.flags);
          expect(l.level, context).toBe(l.entry.level);
          const t = img.mm.translate(BigInt(l.va));
          expect(t.mapped, context).toBe(true);
          expect(t.level, context).toBe(l.level);
          expect(t.phys, context).toBe(BigInt(l.pa) + BigInt(l.va % l.size));
          expect(t.perms, context).toEqual(l.perms);
        });
      }
      expect(leaves).toBeGreaterThan(20);
    });
  }
});
