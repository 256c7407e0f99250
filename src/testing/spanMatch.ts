import { Attr } from '../protocol/attributes';
import type { AttrValue, SpanView } from '../protocol/spanView';
import { parseSelector, type Compound, type FieldTest, type ParsedSelector, type Value } from './selector';

/** The spans of one trace with what selectors need: parents, kinds, start order. */
export class SpanIndex {
  /** In start order. */
  readonly spans: readonly SpanView[];
  private readonly byId = new Map<string, SpanView>();
  private readonly kinds = new Map<SpanView, string>();

  constructor(spans: readonly SpanView[]) {
    this.spans = [...spans].sort((a, b) => a.startMs - b.startMs);
    for (const s of this.spans) this.byId.set(s.spanId, s);
  }

  parent(s: SpanView): SpanView | undefined {
    return s.parentSpanId ? this.byId.get(s.parentSpanId) : undefined;
  }

  /** Ancestors, nearest first; stops after as many steps as there are spans (parent cycles). */
  *ancestors(s: SpanView): Generator<SpanView> {
    let guard = this.spans.length;
    for (let p = this.parent(s); p && guard-- > 0; p = this.parent(p)) yield p;
  }

  kind(s: SpanView): string {
    let k = this.kinds.get(s);
    if (k === undefined) {
      const a = s.attributes[Attr.kind];
      k = typeof a === 'string' ? a : s.attributes[Attr.procedureId] !== undefined ? 'step' : this.parent(s) ? 'call' : 'plan';
      this.kinds.set(s, k);
    }
    return k;
  }

  /** The span and its descendants, in start order. */
  subtree(roots: readonly SpanView[]): SpanView[] {
    const inside = new Set(roots);
    const out: SpanView[] = [];
    for (const s of this.spans) {
      if (inside.has(s)) {
        out.push(s);
        continue;
      }
      for (const p of this.ancestors(s)) {
        if (inside.has(p)) {
          inside.add(s);
          out.push(s);
          break;
        }
      }
    }
    return out;
  }

  /** Spans matched by the selector, in start order. */
  select(selector: string | ParsedSelector): SpanView[] {
    const parsed = typeof selector === 'string' ? parseSelector(selector) : selector;
    let current = this.spans.filter((s) => this.matches(s, parsed.compounds[0]!));
    current = positioned(current, parsed.compounds[0]!);
    for (let c = 1; c < parsed.compounds.length; c++) {
      const prev = new Set(current);
      const compound = parsed.compounds[c]!;
      const child = parsed.combinators[c - 1] === 'child';
      current = this.spans.filter((s) => {
        if (!this.matches(s, compound)) return false;
        if (child) {
          const p = this.parent(s);
          return p !== undefined && prev.has(p);
        }
        for (const p of this.ancestors(s)) if (prev.has(p)) return true;
        return false;
      });
      current = positioned(current, compound);
    }
    return current;
  }

  private matches(s: SpanView, c: Compound): boolean {
    if (c.kind !== 'span' && this.kind(s) !== c.kind) return false;
    for (const t of c.tests) if (!testSpan(s, t)) return false;
    return true;
  }
}

function positioned(spans: SpanView[], c: Compound): SpanView[] {
  let out = spans;
  for (const p of c.positions) {
    if (p.type === 'first') out = out.slice(0, 1);
    else if (p.type === 'last') out = out.slice(-1);
    else {
      const at = p.index > 0 ? p.index - 1 : out.length + p.index;
      out = at >= 0 && at < out.length ? [out[at]!] : [];
    }
  }
  return out;
}

function testSpan(s: SpanView, t: FieldTest): boolean {
  let actual: AttrValue | undefined;
  switch (t.field.type) {
    case 'attr':
      actual = s.attributes[t.field.key];
      break;
    case 'name':
      actual = s.name;
      break;
    case 'duration':
      actual = s.endMs - s.startMs;
      break;
    case 'status':
      actual = s.status;
      break;
  }
  if (!t.op || !t.value) return actual !== undefined;
  if (t.op === '!=') return actual === undefined || !equals(actual, t.value);
  if (actual === undefined) return false;
  switch (t.op) {
    case '=':
      return equals(actual, t.value);
    case '*=':
    case '^=':
    case '$=': {
      const text = String(actual);
      const v = String(t.value.value);
      return t.op === '*=' ? text.includes(v) : t.op === '^=' ? text.startsWith(v) : text.endsWith(v);
    }
    default: {
      const a = numeric(actual);
      const b = t.value.type === 'number' ? t.value.value : numeric(t.value.value);
      if (a === undefined || b === undefined) return false;
      return t.op === '<' ? a < b : t.op === '<=' ? a <= b : t.op === '>' ? a > b : a >= b;
    }
  }
}

function equals(actual: AttrValue, v: Value): boolean {
  if (Array.isArray(actual)) return actual.some((x) => equals(x, v));
  if (v.type === 'number') return numeric(actual) === v.value;
  if (v.type === 'boolean') return actual === v.value || String(actual) === String(v.value);
  return String(actual) === v.value;
}

function numeric(x: unknown): number | undefined {
  if (typeof x === 'number') return x;
  if (typeof x === 'string' && x.trim() !== '' && Number.isFinite(Number(x))) return Number(x);
  return undefined;
}
