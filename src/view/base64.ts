/**
 * Base64 without Node's Buffer, so the HTML builder and the page share it
 * (btoa/atob exist in browsers and in Node 16+ alike). Chunks of 3 * 8192
 * bytes keep String.fromCharCode's argument list small and encode to whole
 * groups of four characters, so the pieces join into one valid string.
 */
export function toBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 24576) {
    parts.push(btoa(String.fromCharCode(...bytes.subarray(i, i + 24576))));
  }
  return parts.join('');
}

export function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
