/**
 * What a dump gives physical memory: fixed-size blocks (the kdump
 * `block_size`, usually the page size), each in one state. PhysicalMemory
 * reads a dump only through this, so the format readers stay out of the
 * walker's way and memory stays format-agnostic.
 */

/** The block's bytes are in the dump. */
export const BLOCK_DATA = 0;
/** RAM the dump level left out (set in the 1st bitmap, clear in the 2nd: makedumpfile's filtering). */
export const BLOCK_EXCLUDED = 1;
/** Not RAM, or outside the dump (clear in the 1st bitmap, at or beyond max_mapnr). */
export const BLOCK_ABSENT = 2;
/** Dumpable, but the dump holds no data for it: an incomplete dump (zero descriptor, data past the end). */
export const BLOCK_INCOMPLETE = 3;
/** In the pfn range of a part of a split dump that was not given. */
export const BLOCK_OTHER_PART = 4;

export type BlockState = typeof BLOCK_DATA | typeof BLOCK_EXCLUDED | typeof BLOCK_ABSENT | typeof BLOCK_INCOMPLETE | typeof BLOCK_OTHER_PART;

/** The three page states of the API: incomplete and missing-part blocks are absent. */
export type PageState = 'data' | 'excluded' | 'absent';

export function pageStateName(state: BlockState): PageState {
  return state === BLOCK_DATA ? 'data' : state === BLOCK_EXCLUDED ? 'excluded' : 'absent';
}

export interface PageSource {
  /** Bytes per block: a power of two (1 KiB to 1 MiB). */
  readonly blockSize: number;
  /** Blocks [0, blocks) may hold data; every block at or above is absent. */
  readonly blocks: number;
  /** The state of a block (reads its descriptor when the bitmaps say it was dumped). */
  state(block: number): BlockState;
  /**
   * Fills `dst` (blockSize bytes) with the block's data and returns
   * BLOCK_DATA, or returns the state that keeps it from having data (dst
   * is then untouched). Throws PagewalkError EBADIMAGE when the block's
   * descriptor or data is corrupt.
   */
  load(block: number, dst: Uint8Array): BlockState;
  /** Why a block is not data, in words for a message ("excluded by the dump level (dump level 31)"). */
  explain(block: number, state: BlockState): string;
}
