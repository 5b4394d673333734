/**
 * Every vector made by the real tools decodes to exactly the bytes the tool
 * was given (inputs/*.bin.gz, SHA-256 in vectors.json), and the real
 * makedumpfile pages decode to the ELF's pages. Sources: see
 * test/fixtures/decompress/README.md.
 */
import { describe, expect, it } from 'vitest';
import { PagewalkError } from '../../src/errors.js';
import { decompressPage, decompressZstd, gunzip, inflateZlib } from '../../src/decompress/index.js';
import { DECODERS, expectedBytes, sha256, title, vectorBytes, vectorsOf } from './vectors.js';


describe.each(Object.keys(DECODERS) as (keyof typeof DECODERS)[])('%s vectors from the real tools', (codec) => {
  const decode = DECODERS[codec];
  it.each(vectorsOf(codec, { real: false }).map((v) => [title(v), v] as const))('%s', (_, v) => {
    const want = expectedBytes(v);
    const out = new Uint8Array(want.length);
    expect(decode(vectorBytes(v), out, 'test')).toBe(want.length);
    expect(sha256(out)).toBe(v.expect_sha256);
    expect(Buffer.from(out).equals(Buffer.from(want))).toBe(true);
  });
});

describe.each(['zlib', 'lzo', 'snappy', 'zstd'] as const)('real makedumpfile 1.7.2 %s pages decode to the ELF pages', (codec) => {
  const pages = vectorsOf(codec, { real: true });
  it('49 pages of tables.' + codec + '.kdump', () => {
    expect(pages).toHaveLength(49);
  });
  it.each(pages.map((v) => [title(v), v] as const))('%s', (_, v) => {
    const out = new Uint8Array(4096);
    decompressPage(codec, vectorBytes(v), out, `tables.${codec}.kdump: page ${v.pa}`);
    // page_sha256 of x86-64-4level/kdump/expected.json: SHA-256 of the page in tables.elf.gz.
    expect(sha256(out)).toBe(v.expect_sha256);
    expect(Buffer.from(out).equals(Buffer.from(expectedBytes(v)))).toBe(true);
  });
});

describe('gzip vectors from gzip 1.12 (and one RFC 1952 header built around zlib output)', () => {
  it.each(vectorsOf('gzip').map((v) => [title(v), v] as const))('%s', (_, v) => {
    const want = expectedBytes(v);
    const out = gunzip(vectorBytes(v), want.length, 'test');
    expect(sha256(out)).toBe(v.expect_sha256);
    expect(out.length).toBe(want.length);
  });
});

describe('vectors the real tools refuse to decode without what they need', () => {
  it.each(vectorsOf('zlib', { refused: true }).map((v) => [title(v), v] as const))('zlib %s: FDICT refused', (_, v) => {
    const out = new Uint8Array(v.expect_size!);
    expect(() => inflateZlib(vectorBytes(v), out, 'w')).toThrow(PagewalkError);
    expect(() => inflateZlib(vectorBytes(v), out, 'w')).toThrow(/^w: zlib: .*preset dictionary/);
  });
  it.each(vectorsOf('zstd', { refused: true }).map((v) => [title(v), v] as const))('zstd %s: dictionary refused', (_, v) => {
    const out = new Uint8Array(v.expect_size!);
    expect(() => decompressZstd(vectorBytes(v), out, 'w')).toThrow(/^w: zstd: .*needs dictionary \d+/);
  });
});
