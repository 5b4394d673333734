/**
 * The ELF notes a kdump file copies from its source (`offset_note`,
 * `size_note`): Elf32_Nhdr and Elf64_Nhdr are the same 12 bytes (namesz,
 * descsz, type, in the dumped machine's byte order), name and descriptor
 * each padded to 4 bytes, as Linux and QEMU write core notes. Read only to
 * find VMCOREINFO when the sub-header does not point at it (QEMU before
 * it filled offset_vmcoreinfo).
 */
export function findNote(bytes: Uint8Array, littleEndian: boolean, name: string): Uint8Array | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  let off = 0;
  while (off + 12 <= bytes.length) {
    const namesz = view.getUint32(off, littleEndian);
    const descsz = view.getUint32(off + 4, littleEndian);
    if (namesz === 0) return null;
    const nameAt = off + 12;
    const descAt = nameAt + Math.ceil(namesz / 4) * 4;
    if (descAt > bytes.length || descAt + descsz > bytes.length) return null;
    let k = 0;
    while (k < name.length && k < namesz && bytes[nameAt + k] === name.charCodeAt(k)) k++;
    if (k === name.length && (namesz === name.length || bytes[nameAt + name.length] === 0)) return bytes.subarray(descAt, descAt + descsz);
    off = descAt + Math.ceil(descsz / 4) * 4;
  }
  return null;
}
