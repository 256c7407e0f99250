import { BufferSink, LARGE_TEXT_OVERHEAD, LargeText, isLargeString, mayBeLarge, type StoredValue, type TextSlab } from './largeText';

/**
 * The bytes of stored large values (largeText.ts), appended to slabs of a few MiB, freed whole when
 * none of their values is stored any more.
 *
 * Why: with one malloc'd Buffer per value, an evicted value's memory came back only when V8 next
 * collected the Buffer object (a full collection, once it was in the old generation), and glibc kept
 * the heap's high-water mark (bench:memory: 300 MiB of malloc heap for a 256 MiB budget of 64 KiB
 * values, external memory peaking at 288 MiB). Here the store releases a value when it evicts or
 * replaces its span; a slab whose last value is released is detached at once (its memory moves to a
 * throw-away ArrayBuffer that the next young-generation collection frees), so memory follows what
 * the store keeps. Eviction is of whole traces, least recently completed first, so slabs empty
 * nearly in the order they filled.
 *
 * Counting: a stored value counts its bytes (rounded to 8) and SLAB_VALUE_OVERHEAD with its span;
 * what a slab holds beyond its stored values (released values' room, the unused end of a filled
 * slab) is {@link TextSlabs.deadBytes}, counted by the store besides its traces — a slab kept by one
 * value of a long-running trace counts whole, so no pattern of values can hold memory the budget
 * does not see. Values of at least `ownFrom` bytes get a buffer of their own (counted as before:
 * LARGE_TEXT_OVERHEAD), so a slab's unused end stays small.
 */

const MiB = 1024 * 1024;
/** Bytes of one slab: 64 values of 64 KiB, and above glibc's default mmap threshold. */
export const SLAB_BYTES = 4 * MiB;
/**
 * Heap bytes of a value kept in a slab beyond its bytes: its LargeText object and the Buffer that
 * views its part of the slab (no native backing store of its own). Measured with
 * `npm run bench:memory -- --overhead` (heap per 16 KiB value in slabs after a full GC: 154 B,
 * Node 20, 2026-12-06).
 */
export const SLAB_VALUE_OVERHEAD = 160;

/**
 * Slab size for a budget: a 64th of it (a power of two, 64 KiB to SLAB_BYTES), so the one or two
 * slabs that eviction leaves partly used are a small part of the budget. Under a budget of 16 MiB
 * or so, every large value gets a buffer of its own (the slab's 16th is below LARGE_TEXT_FROM).
 */
export function slabBytesFor(budgetBytes: number): number {
  let n = 64 * 1024;
  while (n * 2 <= SLAB_BYTES && n * 2 * 64 <= budgetBytes) n *= 2;
  return n;
}

/**
 * Emptied slabs kept to be filled again. A spare is the emptied slab's memory moved to a new
 * ArrayBuffer (the old one detached: views of released values read empty, never new bytes), so
 * a store that evicts as fast as it takes values in allocates nothing, and V8 sees no external
 * memory growing (which would have it run full collections).
 */
const MAX_SPARES = 2;

function round8(n: number): number {
  return (n + 7) & ~7;
}

export class TextSlabs {
  private current: TextSlab | undefined;
  private dead = 0;
  private held = 0;
  private count = 0;
  private readonly spares: ArrayBuffer[] = [];
  /** Readers that read stored records over several turns of the event loop (see `hold`). */
  private holds = 0;
  /** Slabs emptied while held: freed when the last hold ends (counted as dead room till then). */
  private readonly deferred: TextSlab[] = [];
  /** Where freed buffers go (their memory released at once). */
  private readonly sink = new BufferSink();
  /** Bumped by `clear`: frees planned before it are dropped. */
  private epoch = 0;
  /**
   * Takes an emptied adopted slab's buffer back to where it was made (the large bodies' decode
   * worker reuses it for a body of the same size: no allocation, no fresh pages), transferring it
   * (so it is detached here at once); false when it cannot (the slab is then freed as any other).
   */
  recycle: ((buffer: ArrayBuffer) => boolean) | undefined = undefined;

  constructor(
    readonly slabBytes = SLAB_BYTES,
    /** Values of at least this many bytes get a buffer of their own. */
    readonly ownFrom = Math.max(1, Math.floor(slabBytes / 16)),
  ) {}

  /** Bytes in slabs not held by stored values (released values' room, filled slabs' unused ends, spare slabs). */
  get deadBytes(): number {
    return this.dead;
  }

  /** Bytes of all buffers not yet freed (slabs and own buffers). */
  get heldBytes(): number {
    return this.held;
  }

  /** Slabs (spares too) and own buffers not yet freed. */
  get buffers(): number {
    return this.count;
  }

  /**
   * Takes a value into the store's keeping (once: a stored value is left as it is): a value in an
   * adoptable slab (made by a decode worker) stays where it is, and that buffer becomes one of
   * this store's slabs; any other is copied into a slab.
   */
  store(lt: LargeText): void {
    if (lt.slab) return;
    const home = lt.home;
    lt.home = undefined;
    // Adopted when no larger than a slab (what one long-lived value can pin stays a slab's worth),
    // or when it holds this value alone (a value of its own, as `place` would give it).
    if (home && (home.given <= this.slabBytes || home.given === round8(lt.size)) && this.adopt(home) && lt.bytes.buffer === home.buffer && !lt.freed) {
      const room = round8(lt.size);
      home.live += room;
      this.dead -= room;
      this.keep(lt, lt.bytes, home);
      return;
    }
    const src = lt.bytes;
    const { slab, at } = this.place(lt.size);
    const view = Buffer.from(slab.buffer!, at, lt.size);
    view.set(src);
    this.keep(lt, view, slab);
  }

  /** A string (or the kept start of a truncated value) stored as a LargeText, written straight into a slab. */
  storeString(s: string, truncatedLength: number): LargeText {
    const n = Buffer.byteLength(s, 'utf8');
    const { slab, at } = this.place(n);
    const view = Buffer.from(slab.buffer!, at, n);
    view.write(s, 0, 'utf8');
    const lt = new LargeText(view, truncatedLength);
    this.keep(lt, view, slab);
    return lt;
  }

  /** The stored form of a value: large strings (and large kept starts of truncated values) into slabs. */
  toStored(v: StoredValue): StoredValue {
    if (v instanceof LargeText) {
      this.store(v);
      return v;
    }
    if (typeof v === 'string') return isLargeString(v) ? this.storeString(v, -1) : v;
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'truncated' && isLargeString(v.value)) return this.storeString(v.value, v.length);
    return v;
  }

  /**
   * Stores the large values of a values array in place (arrays are the record's own, or a chunk's
   * with the row's range `from`…`to`); how many there are.
   */
  storeValues(values: StoredValue[], from = 0, to = values.length): number {
    let n = 0;
    for (let i = from; i < to; i++) {
      const v = values[i]!;
      if (!mayBeLarge(v)) continue;
      const s = (values[i] = this.toStored(v));
      if (s instanceof LargeText) n++;
    }
    return n;
  }

  /** Gives back the room of the large values in `values` (their span was evicted, replaced or refused). */
  releaseValues(values: readonly StoredValue[]): void {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v instanceof LargeText) this.release(v);
    }
  }

  /** Gives back a stored value's room (idempotent); frees its slab when nothing in it is stored any more. */
  release(lt: LargeText): void {
    const slab = lt.slab;
    if (!slab) return;
    lt.slab = undefined;
    const room = slab.own ? lt.size : round8(lt.size);
    slab.live -= room;
    this.dead += room;
    if (slab.live !== 0 || !slab.sealed) return;
    // An adopted slab may still hold values of the batch being stored (a span re-sent within its
    // own batch, or refused, releases its value before the rest are stored): freed once the batch
    // is done, if none of them was stored meanwhile.
    if (slab.adopted) this.freeLater(slab);
    else this.free(slab);
  }

  /**
   * Makes an adoptable slab one of this store's (once): counted whole, as dead room until its values
   * are stored. False when it is not adoptable here (another store's, or freed).
   */
  private adopt(home: TextSlab): boolean {
    if (home.owner === this) return home.buffer !== undefined;
    if (home.owner !== undefined || !home.adopted || !home.buffer) return false;
    home.owner = this;
    this.held += home.given;
    this.dead += home.given;
    this.count++;
    // Freed like any emptied slab if none of its values ends up stored (all refused).
    this.freeLater(home);
    return true;
  }

  /** Frees an adopted slab after the batch being stored, if it is empty then. */
  private freeLater(slab: TextSlab): void {
    const epoch = this.epoch;
    queueMicrotask(() => {
      if (epoch === this.epoch && slab.live === 0 && slab.buffer) this.free(slab);
    });
  }

  /**
   * Keeps emptied slabs (and their bytes) as they are until the returned function is called: for a
   * reader that takes a trace's records and reads them across awaits (a run file written piece by
   * piece), during which the trace may be evicted. Without it the values it has yet to read could
   * be detached under it. The slabs held meanwhile stay counted (dead room).
   */
  hold(): () => void {
    this.holds++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.holds > 0) return;
      for (const slab of this.deferred.splice(0)) this.free(slab);
    };
  }

  /** Forgets every slab (the store was cleared: nothing in them is stored any more). */
  clear(): void {
    this.epoch++;
    this.current = undefined;
    this.dead = 0;
    this.held = 0;
    this.count = 0;
    this.spares.length = 0;
    this.deferred.length = 0;
  }

  private keep(lt: LargeText, view: Buffer, slab: TextSlab): void {
    lt.bytes = view;
    lt.slab = slab;
    lt.cost = slab.own ? LARGE_TEXT_OVERHEAD + lt.size : SLAB_VALUE_OVERHEAD + round8(lt.size);
  }

  /** Room for `n` bytes: in the current slab, a new one, or a buffer of its own. */
  private place(n: number): { slab: TextSlab; at: number } {
    if (n >= this.ownFrom) {
      const slab: TextSlab = { buffer: Buffer.allocUnsafeSlow(n).buffer as ArrayBuffer, given: n, live: n, sealed: true, own: true };
      this.held += n;
      this.count++;
      return { slab, at: 0 };
    }
    const room = round8(n);
    let slab = this.current;
    if (!slab || slab.given + room > this.slabBytes) {
      if (slab) this.seal(slab);
      const spare = this.spares.pop();
      if (spare) this.dead -= this.slabBytes;
      else {
        this.held += this.slabBytes;
        this.count++;
      }
      // Not zero-filled: every byte handed out is written before it is read.
      slab = this.current = { buffer: spare ?? (Buffer.allocUnsafeSlow(this.slabBytes).buffer as ArrayBuffer), given: 0, live: 0, sealed: false, own: false };
    }
    const at = slab.given;
    slab.given += room;
    slab.live += room;
    return { slab, at };
  }

  private seal(slab: TextSlab): void {
    slab.sealed = true;
    this.dead += this.slabBytes - slab.given;
    slab.given = this.slabBytes;
    if (slab.live === 0) this.free(slab);
  }

  private free(slab: TextSlab): void {
    if (this.holds > 0) {
      if (!this.deferred.includes(slab)) this.deferred.push(slab);
      return;
    }
    this.dead -= slab.given - slab.live;
    const buffer = slab.buffer;
    slab.buffer = undefined;
    if (!buffer) return;
    if (slab.adopted && this.recycle?.(buffer) && buffer.byteLength === 0) {
      this.held -= slab.given;
      this.count--;
      return;
    }
    // Detached either way: views of it read as empty. Its memory moves to a spare (still counted, as
    // dead room), or is freed at once (BufferSink) — not when every view of the old one has been
    // collected (failing that: moved to a throw-away buffer the next young-generation collection frees).
    if (!slab.own && !slab.adopted && this.spares.length < MAX_SPARES) {
      this.spares.push(structuredClone(buffer, { transfer: [buffer] }));
      this.dead += this.slabBytes;
      return;
    }
    if (!this.sink.drop(buffer)) structuredClone(buffer, { transfer: [buffer] });
    this.held -= slab.own || slab.adopted ? slab.given : this.slabBytes;
    this.count--;
  }
}
