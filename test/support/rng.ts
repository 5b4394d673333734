/**
 * The one seeded generator of the tests (random tables, round trips,
 * decompression mutations, the fuzz suites): the same seed gives the same
 * cases, so a failure is reproduced by its seed (every assertion names it).
 * The fuzz suites' base seed comes from PAGEWALK_FUZZ_SEED when set, else a
 * fixed value (CI runs the same cases every time; set the variable to explore).
 */
export type Rng = () => number;

/** mulberry32 (Tommy Ettinger's public-domain generator): 32-bit state, uniform in [0, 1). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The fuzz suites' name for it. */
export const rng = mulberry32;

export const BASE_SEED = Number(process.env.PAGEWALK_FUZZ_SEED ?? 0x7a9e5eed) >>> 0;

/** An integer in [0, n). */
export function below(r: Rng, n: number): number {
  return Math.floor(r() * n);
}

/** One of the items. */
export function pick<T>(r: Rng, items: readonly T[]): T {
  return items[below(r, items.length)];
}
