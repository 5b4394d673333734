import { LIMIT_NO_KEXEC, LIMIT_NO_UEXEC, LIMIT_NO_USER, LIMIT_NO_WRITE, type Perms } from '../arch/types.js';

/**
 * A leaf's permissions after the limits its directory entries impose
 * (EntryCodec.tableLimits, ORed down the levels): x86 ANDs RW and U/S and
 * ORs NX; arm64 applies APTable, PXNTable and UXNTable.
 */
export function effectivePerms(perms: Perms, limits: number): Perms {
  const user = perms.user && (limits & LIMIT_NO_USER) === 0;
  const noExec = perms.user ? LIMIT_NO_UEXEC : LIMIT_NO_KEXEC;
  return {
    ...perms,
    user,
    write: perms.write && (limits & LIMIT_NO_WRITE) === 0,
    exec: perms.exec && (limits & noExec) === 0,
  };
}
