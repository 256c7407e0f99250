/**
 * Builds the {@link SpanTree} of a span table with typed arrays only: parents found by their
 * position in the batch, or by their id's words (SpanRowIndex), children as linked lists, an iterative walk, then one bottom-up
 * pass for subtree ends, extents and self time. O(n) when siblings arrive in start order, as a
 * run's do (others are sorted: O(n log n)). No object and no string per span, and as few passes
 * as it can: the first render of a 100k-span trace runs this once, cold.
 */
import { Attr } from '../protocol/attributes';
import { AttrKind } from '../protocol/spanBatch';
import type { SpanTable } from './spanTable';
import { NODE_KINDS, NodeFlag, SpanTree, TRUNCATED_VALUE_PREFIX, type RowClasses, type SpanIndex } from './spanTree';

const PASS = NODE_KINDS.indexOf('pass');
// What a string is to the builder (codes 1-4 are the kind values, as in NODE_KINDS).
const UNSEEN = -1;
const OTHER = 0;
const KIND_KEY = NODE_KINDS.length;
const CONVERGED_KEY = KIND_KEY + 1;
const EXCEPTION = KIND_KEY + 2;
const TRUNCATED = KIND_KEY + 3;
/**
 * The batch's own kind for values cut to the collector's caps, when it has one (the decoders'
 * fidelity work adds it); without it a cut value arrives as the JSON text of its marker.
 */
const TRUNCATED_KIND: number = (AttrKind as Readonly<Record<string, number>>).truncated ?? -1;

function classOf(table: SpanTable, ref: number): number {
  for (let k = 1; k < NODE_KINDS.length; k++) if (table.strIs(ref, NODE_KINDS[k]!)) return k;
  if (table.strIs(ref, Attr.kind)) return KIND_KEY;
  if (table.strIs(ref, Attr.passConverged)) return CONVERGED_KEY;
  if (table.strIs(ref, 'exception')) return EXCEPTION;
  return table.batch.text.startsWith(TRUNCATED_VALUE_PREFIX, table.from(ref)) && table.to(ref) > table.from(ref) + TRUNCATED_VALUE_PREFIX.length ? TRUNCATED : OTHER;
}

/** Siblings by start, then end, then name, then arrival. */
function byStart(table: SpanTable) {
  const { startMs, endMs } = table;
  return (a: number, b: number): number => {
    const d = startMs[a]! - startMs[b]! || endMs[a]! - endMs[b]!;
    if (d !== 0) return d;
    const na = table.name(a);
    const nb = table.name(b);
    return na < nb ? -1 : na > nb ? 1 : a - b;
  };
}

/** Sorts the linked list starting at `head` when it is not in start order; returns the head. */
function sortList(head: number, next: Int32Array, cmp: (a: number, b: number) => number): number {
  const items: number[] = [];
  for (let x = head; x !== -1; x = next[x]!) items.push(x);
  let sorted = true;
  for (let k = 1; k < items.length && sorted; k++) sorted = cmp(items[k - 1]!, items[k]!) <= 0;
  if (sorted) return head;
  items.sort(cmp);
  for (let k = 0; k < items.length; k++) next[items[k]!] = k + 1 < items.length ? items[k + 1]! : -1;
  return items[0]!;
}

/** Every row's kind (from its first kind attribute, as SpanTable.findAttr) and error flag, from row `first` on. */
function classify(table: SpanTable, classes: Int8Array, first: number, kinds: Uint8Array, flags: Uint8Array): void {
  const { status, attrFrom, attrKey, attrType, attrValue, eventFrom, eventName } = table.batch;
  const total = table.size;
  for (let r = first; r < total; r++) {
    let kind = 0;
    let truncated = 0;
    for (let e = attrFrom[r]!; e < attrFrom[r + 1]!; e++) {
      if (attrType[e] === TRUNCATED_KIND) truncated = NodeFlag.truncated;
      else if (attrType[e] === AttrKind.array) {
        const v = attrValue[e]!;
        let vc = classes[v]!;
        if (vc === UNSEEN) classes[v] = vc = classOf(table, v);
        if (vc === TRUNCATED) truncated = NodeFlag.truncated;
      }
    }
    for (let e = attrFrom[r]!; e < attrFrom[r + 1]!; e++) {
      const key = attrKey[e]!;
      let c = classes[key]!;
      if (c === UNSEEN) classes[key] = c = classOf(table, key);
      if (c !== KIND_KEY) continue;
      const v = attrType[e] === AttrKind.string ? attrValue[e]! : -1;
      let vc = v === -1 ? OTHER : classes[v]!;
      if (vc === UNSEEN) classes[v] = vc = classOf(table, v);
      kind = vc < KIND_KEY ? vc : 0;
      break;
    }
    kinds[r] = kind;
    let error = status[r] === 2 ? 1 : 0;
    for (let e = eventFrom[r]!; e < eventFrom[r + 1]!; e++) {
      const name = eventName[e]!;
      let c = classes[name]!;
      if (c === UNSEEN) classes[name] = c = classOf(table, name);
      error |= c === EXCEPTION ? 1 : 0;
    }
    flags[r] = error * NodeFlag.error | truncated;
  }
}

/** Marks the passes that carry `plan.pass.converged` = true (the first such attribute), from row `first` on. */
function markConverged(table: SpanTable, classes: Int8Array, first: number, kinds: Uint8Array, flags: Uint8Array): void {
  const { attrFrom, attrKey, attrType, attrValue } = table.batch;
  for (let r = kinds.indexOf(PASS, first); r !== -1; r = kinds.indexOf(PASS, r + 1)) {
    for (let e = attrFrom[r]!; e < attrFrom[r + 1]!; e++) {
      const key = attrKey[e]!;
      if (classes[key] === UNSEEN) classes[key] = classOf(table, key);
      if (classes[key] !== CONVERGED_KEY) continue;
      if (attrType[e] === AttrKind.boolean && attrValue[e] === 1) flags[r]! |= NodeFlag.converged;
      break;
    }
  }
}

/** Children as linked lists (roots as one more list), with the orphan flag. */
interface Links {
  /** Rows taking part (the last of each span id). */
  n: number;
  parentOf: Int32Array;
  firstChild: Int32Array;
  next: Int32Array;
  firstRoot: number;
}

/**
 * Links rows last first, so each list is in arrival order; a list that may not be in start order
 * (a run's are) is checked and sorted afterwards.
 */
function link(table: SpanTable, flags: Uint8Array): Links {
  const { startMs } = table;
  const ids = table.rows;
  const total = table.size;
  const parentOf = new Int32Array(total).fill(-1);
  const firstChild = new Int32Array(total).fill(-1);
  const next = new Int32Array(total).fill(-1);
  const maybeUnsorted = new Uint8Array(total);
  let firstRoot = -1;
  let rootsMaybeUnsorted = false;
  let n = 0;
  for (let r = total - 1; r >= 0; r--) {
    if (ids.last(r) !== r) continue; // a later span has this id
    n++;
    // -1: no parent; -2: a parent the batch does not have.
    let pr = ids.parentRow(r);
    const named = pr !== -1;
    if (pr === -2) pr = -1;
    if (pr === r) {
      pr = -1;
      flags[r]! |= NodeFlag.ownParent;
    } else flags[r]! |= named && pr === -1 ? NodeFlag.orphan : 0;
    if (pr === -1) {
      rootsMaybeUnsorted ||= firstRoot !== -1 && startMs[r]! >= startMs[firstRoot]!;
      next[r] = firstRoot;
      firstRoot = r;
    } else {
      const head = firstChild[pr]!;
      maybeUnsorted[pr]! |= head !== -1 && startMs[r]! >= startMs[head]! ? 1 : 0;
      parentOf[r] = pr;
      next[r] = head;
      firstChild[pr] = r;
    }
  }
  const cmp = byStart(table);
  for (let r = maybeUnsorted.indexOf(1); r !== -1; r = maybeUnsorted.indexOf(1, r + 1)) firstChild[r] = sortList(firstChild[r]!, next, cmp);
  if (rootsMaybeUnsorted) firstRoot = sortList(firstRoot, next, cmp);
  return { n, parentOf, firstChild, next, firstRoot };
}

/** The pre-order columns, filled by {@link walk}. */
interface Walked {
  row: Int32Array;
  parent: Int32Array;
  depth: Int32Array;
  kinds: Uint8Array;
  flags: Uint8Array;
  spanStartMs: Float64Array;
  spanEndMs: Float64Array;
  roots: number[];
  errorCount: number;
  startMs: number;
  endMs: number;
}

/**
 * Pre-order walk with a typed-array stack (plans may nest steps deeply): a node pushes its next
 * sibling, then its first child, so a subtree is done before the sibling after it. Members of a
 * parent cycle, which no root reaches, are walked from the first one met, as roots.
 */
function walk(table: SpanTable, l: Links, kindOfRow: Uint8Array, flagsOfRow: Uint8Array): Walked {
  const { startMs, endMs } = table;
  const ids = table.rows;
  const { n, parentOf, firstChild, next } = l;
  const total = table.size;
  const w: Walked = {
    row: new Int32Array(n),
    parent: new Int32Array(n),
    depth: new Int32Array(n),
    kinds: new Uint8Array(n),
    flags: new Uint8Array(n),
    spanStartMs: new Float64Array(n),
    spanEndMs: new Float64Array(n),
    roots: [],
    errorCount: 0,
    startMs: n === 0 ? 0 : Infinity,
    endMs: n === 0 ? 0 : -Infinity,
  };
  const { row, parent, depth, kinds, flags, spanStartMs, spanEndMs, roots } = w;
  const order = new Int32Array(total).fill(-1); // row -> pre-order index
  const stack = new Int32Array(2 * total + 2);
  let count = 0;
  const from = (start: number, asRoot: boolean): void => {
    stack[0] = start;
    let top = 1;
    let errors = 0;
    let first = w.startMs;
    let last = w.endMs;
    // The start of a cycle walk is a root here: not its parent's child, nor its siblings' sibling.
    let cut = !asRoot;
    while (top > 0) {
      const r = stack[--top]!;
      const sibling = cut ? -1 : next[r]!;
      if (sibling !== -1) stack[top++] = sibling;
      if (order[r] !== -1) continue; // met again through a cycle
      const i = count++;
      const p = cut || parentOf[r] === -1 ? -1 : order[parentOf[r]!]!;
      const f = flagsOfRow[r]! | (cut ? NodeFlag.cycle : 0);
      cut = false;
      const s = startMs[r]!;
      const e = endMs[r]!;
      order[r] = i;
      row[i] = r;
      parent[i] = p;
      depth[i] = p === -1 ? 0 : depth[p]! + 1;
      spanStartMs[i] = s;
      spanEndMs[i] = e;
      first = Math.min(first, s);
      last = Math.max(last, e);
      kinds[i] = kindOfRow[r]!;
      flags[i] = f;
      errors += f & NodeFlag.error;
      if (p === -1) roots.push(i);
      const child = firstChild[r]!;
      if (child !== -1) stack[top++] = child;
    }
    w.errorCount += errors;
    w.startMs = first;
    w.endMs = last;
  };
  if (l.firstRoot !== -1) from(l.firstRoot, true);
  if (count < n) {
    // What no root reaches hangs below a parent cycle: walk up to a member of the cycle (the first
    // row met twice) and cut the cycle there. Every row walked up is then walked down: O(n) in all.
    const metOn = new Int32Array(total).fill(-1);
    for (let r = 0; r < total; r++) {
      if (order[r] !== -1 || ids.last(r) !== r) continue;
      let x = r;
      while (metOn[x] !== r) {
        metOn[x] = r;
        const up = parentOf[x]!;
        if (up === -1 || order[up] !== -1) break;
        x = up;
      }
      from(x, false);
    }
  }
  return w;
}

/**
 * A span whose parent is missing is a root (an orphan until its parent arrives); when several
 * spans share an id the last one wins (live updates append newer versions); parent cycles are
 * broken at the first span met.
 */
export function buildSpanTree(table: SpanTable, appendedTo?: SpanTree): SpanTree {
  const total = table.size;
  const strings = table.batch.textEnd.length;
  const classes = new Int8Array(strings).fill(UNSEEN);
  const kinds = new Uint8Array(total);
  const flags = new Uint8Array(total);
  // The rows of the tree appended to keep what was worked out for them (each row's kind and flags
  // depend on its own attributes and events only): a live update classifies its new rows only.
  const before = appendedTo?.rowClasses;
  const first = before && before.rows <= total && before.classes.length <= strings ? before.rows : 0;
  if (before && first > 0) {
    classes.set(before.classes);
    kinds.set(before.kinds);
    flags.set(before.flags);
  }
  classify(table, classes, first, kinds, flags);
  markConverged(table, classes, first, kinds, flags);
  const rowClasses: RowClasses = { rows: total, classes, kinds, flags: flags.slice() };
  const w = walk(table, link(table, flags), kinds, flags);
  return new SpanTree(table, { ...w, ...bottomUp(w.parent, w.spanStartMs, w.spanEndMs), byId: lazyIdIndex(table, w.row), rowClasses });
}

/** Span id (by its text) → pre-order index, through the table's id index (the inverse of `row` made on the first lookup). */
function lazyIdIndex(table: SpanTable, row: Int32Array): SpanIndex {
  let order: Int32Array | undefined;
  const lookup = (id: string): number | undefined => {
    const r = table.rows.get(id);
    if (r === -1) return undefined;
    if (!order) {
      order = new Int32Array(table.size).fill(-1);
      for (let i = 0; i < row.length; i++) order[row[i]!] = i;
    }
    const i = order[r]!;
    return i === -1 ? undefined : i;
  };
  return { get: lookup, has: (id) => lookup(id) !== undefined };
}

/** Reverse pre-order: subtree sizes (hence ends), extents and self time, children before parents. */
function bottomUp(parent: Int32Array, start: Float64Array, end: Float64Array) {
  const n = parent.length;
  const subtreeEnd = new Int32Array(n);
  const size = new Int32Array(n).fill(1);
  const selfMs = new Float64Array(n);
  const extentEndMs = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const end_ = i + size[i]!;
    subtreeEnd[i] = end_;
    const p = parent[i]!;
    if (p !== -1) size[p]! += size[i]!;
    const s = start[i]!;
    const e = end[i]!;
    let extent = e;
    // Children in start order: the time each adds beyond what earlier ones covered (`reach`),
    // clipped to the span, sums to the union of their intervals.
    let covered = 0;
    let reach = s;
    for (let c = i + 1; c < end_; c = subtreeEnd[c]!) {
      extent = Math.max(extent, extentEndMs[c]!);
      const ce = Math.min(e, end[c]!);
      covered += Math.max(0, ce - Math.max(start[c]!, reach));
      reach = Math.max(reach, ce);
    }
    extentEndMs[i] = extent;
    selfMs[i] = Math.max(0, Math.max(0, e - s) - covered);
  }
  return { subtreeEnd, selfMs, extentEndMs };
}
