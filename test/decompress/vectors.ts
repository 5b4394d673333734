/**
 * The committed decompression vectors (test/fixtures/decompress, made by the
 * real tools: see its README.md and vectors.json). Inputs and wrapped vectors
 * are gunzipped with node:zlib, never with the code under test.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { PagewalkError } from '../../src/errors.js';
import { decompressLzo1x, decompressSnappy, decompressZstd, inflateRaw, inflateZlib } from '../../src/decompress/index.js';

export const VECTOR_DIR = fileURLToPath(new URL('../fixtures/decompress/', import.meta.url));

export type VectorCodec = 'zlib' | 'deflate' | 'gzip' | 'lzo' | 'snappy' | 'zstd';

export interface Vector {
  file: string;
  codec: VectorCodec;
  made_by: string[];
  size: number;
  wrapped?: 'gzip';
  slice?: [number, number];
  pa?: string;
  expect?: { input: string; offset?: number; length?: number }[];
  expect_size?: number;
  expect_sha256?: string;
  refuse?: string;
  note?: string;
}

interface Manifest {
  tools: Record<string, string>;
  inputs: Record<string, { file: string; size: number; sha256: string }>;
  vectors: Vector[];
}

export const manifest: Manifest = JSON.parse(readFileSync(VECTOR_DIR + 'vectors.json', 'utf8'));

const inputCache = new Map<string, Uint8Array>();
const fileCache = new Map<string, Uint8Array>();

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** An input's bytes, checked against its recorded size and SHA-256. */
export function inputBytes(name: string): Uint8Array {
  let bytes = inputCache.get(name);
  if (bytes === undefined) {
    const info = manifest.inputs[name];
    bytes = new Uint8Array(gunzipSync(readFileSync(VECTOR_DIR + info.file)));
    if (bytes.length !== info.size || sha256(bytes) !== info.sha256) throw new Error(`input ${name} does not match vectors.json`);
    inputCache.set(name, bytes);
  }
  return bytes;
}

/** The compressed bytes of a vector. */
export function vectorBytes(v: Vector): Uint8Array {
  let bytes = fileCache.get(v.file);
  if (bytes === undefined) {
    const raw = readFileSync(VECTOR_DIR + v.file);
    bytes = new Uint8Array(v.wrapped === 'gzip' ? gunzipSync(raw) : raw);
    fileCache.set(v.file, bytes);
  }
  if (v.slice) bytes = bytes.subarray(v.slice[0], v.slice[0] + v.slice[1]);
  if (bytes.length !== v.size) throw new Error(`${v.file}: ${bytes.length} bytes, vectors.json says ${v.size}`);
  return bytes;
}

/** What a vector decodes to, per the tool that made it. */
export function expectedBytes(v: Vector): Uint8Array {
  const parts = v.expect!.map((p) => {
    const input = inputBytes(p.input);
    const offset = p.offset ?? 0;
    return input.subarray(offset, offset + (p.length ?? input.length - offset));
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  if (out.length !== v.expect_size || sha256(out) !== v.expect_sha256) throw new Error(`${v.file}: expected bytes do not match vectors.json`);
  return out;
}

export function vectorsOf(codec: VectorCodec, opts: { real?: boolean; refused?: boolean } = {}): Vector[] {
  return manifest.vectors.filter(
    (v) => v.codec === codec && (opts.real === undefined || opts.real === v.file.startsWith('makedumpfile/')) && (opts.refused ?? false) === (v.refuse !== undefined),
  );
}

/** A short name for a vector in test titles: file (and page), first tool. */
export function title(v: Vector): string {
  return `${v.file}${v.pa ? ` ${v.pa}` : ''} (${v.made_by[0]})`;
}

/**
 * Runs `fn` and checks it throws PagewalkError('EBADIMAGE') whose message
 * starts with `where` (and matches `re`, when given).
 */
export function expectCorrupt(fn: () => unknown, where: string, re?: RegExp): PagewalkError {
  let err: unknown = null;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  if (!(err instanceof PagewalkError)) throw new Error(`expected PagewalkError, got ${err === null ? 'no error' : String(err)}`);
  if (err.code !== 'EBADIMAGE') throw new Error(`expected EBADIMAGE, got ${err.code}: ${err.message}`);
  if (!err.message.startsWith(where + ': ')) throw new Error(`message does not start with "${where}: ": ${err.message}`);
  if (re && !re.test(err.message)) throw new Error(`message does not match ${re}: ${err.message}`);
  return err;
}

/** A seeded generator, so every mutation run is reproducible. */
export { mulberry32 as prng } from '../support/rng.js';

/** A decoder of one codec as the tests call it: bytes written into dst. */
export type Decoder = (src: Uint8Array, dst: Uint8Array, where: string) => number;

/** Each codec's decoder but gzip's (gunzip allocates its output). */
export const DECODERS: Record<Exclude<VectorCodec, 'gzip'>, Decoder> = {
  zlib: inflateZlib,
  deflate: inflateRaw,
  lzo: decompressLzo1x,
  snappy: decompressSnappy,
  zstd: decompressZstd,
};
