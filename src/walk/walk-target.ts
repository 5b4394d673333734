import type { ArchMode, EntryCodec } from '../arch/types.js';
import type { VaSpan } from '../arch/va.js';
import type { PhysicalMemory } from '../memory/physical-memory.js';
import type { EntryHandles } from './entry-handles.js';
import type { MmWalk } from './mm-walk.js';
import type { WalkPlan } from './walk-plan.js';

/**
 * Brand of a walk target. Set by the classes that implement WalkTarget (the
 * address space of src/mm); walkArgsProblem() tests it instead of
 * `instanceof`, so src/walk needs nothing from src/mm (layers: arch ->
 * memory -> walk -> mm -> ptdump -> cli).
 */
export const WALK_TARGET: unique symbol = Symbol('pagewalk.WalkTarget');

/**
 * What the walker needs of an address space (the kernel's `struct mm_struct`
 * as mm/pagewalk.c reads it): the tables and how to read them, plus the
 * state the walker keeps on it (the modelled mmap lock, the entry-handle
 * registry, the reused walk objects). AddressSpace implements it.
 */
export interface WalkTarget {
  readonly [WALK_TARGET]: true;
  readonly arch: ArchMode;
  readonly codec: EntryCodec;
  readonly memory: PhysicalMemory;
  /** Physical address of the top-level table (pgd). */
  readonly root: number;
  /** 'kernel' (init_mm: walkKernelPageTableRange()) or 'user' (debug walks only). */
  readonly kind: 'kernel' | 'user';
  /** What addresses this root translates: both canonical halves, or one (split roots). */
  readonly span: VaSpan;
  /** @internal The geometry as the walker reads it. */
  readonly plan: WalkPlan;
  /** @internal The tables walks have entered, naming entry handles. */
  readonly entries: EntryHandles;
  /** @internal Walks in progress (the kernel's mmap lock, modelled). */
  walkers: number;
  /** @internal A debug walk (write lock) is in progress. */
  writeLocked: boolean;
  /** @internal The walk objects, one per nesting level of walks (see runWalk). */
  readonly walkObjects: MmWalk<unknown>[];
}

/** True for an object that carries the WalkTarget brand (an AddressSpace). */
export function isWalkTarget(x: unknown): x is WalkTarget {
  return typeof x === 'object' && x !== null && (x as { [WALK_TARGET]?: unknown })[WALK_TARGET] === true;
}
