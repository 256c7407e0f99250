/**
 * The span selector language of trace tests (grammar in docs/trace-tests.md):
 *
 *   selector   = compound { combinator compound }
 *   combinator = ">" (child) | whitespace (descendant)
 *   compound   = kind { filter } | filter { filter }
 *   kind       = "plan" | "pass" | "step" | "call" | "span" | "*"
 *   filter     = "[" field [ op value ] "]" | ":first" | ":last" | ":nth(" integer ")"
 *   field      = name { "." name } | quoted string     (bare name, duration, status: the span's own)
 *   op         = "=" | "!=" | "<" | "<=" | ">" | ">=" | "*=" | "^=" | "$="
 *   value      = quoted string | number [ "us" | "µs" | "ms" | "s" | "m" ] | true | false | word
 *
 * Parsing is separate from matching so a selector is parsed once and its errors carry a position.
 */

export type SpanKindSelector = 'plan' | 'pass' | 'step' | 'call' | 'span';
export type Op = '=' | '!=' | '<' | '<=' | '>' | '>=' | '*=' | '^=' | '$=';
export type Value = { type: 'string'; value: string } | { type: 'number'; value: number; unit: boolean } | { type: 'boolean'; value: boolean };

export interface FieldTest {
  /** `attr`: a span attribute; the others are the span's own name, duration (ms) and status. */
  field: { type: 'attr'; key: string } | { type: 'name' } | { type: 'duration' } | { type: 'status' };
  op?: Op;
  value?: Value;
}

export type Position = { type: 'first' } | { type: 'last' } | { type: 'nth'; index: number };

export interface Compound {
  kind: SpanKindSelector;
  tests: FieldTest[];
  /** Applied in order, after the tests, to the spans matched so far (in start order). */
  positions: Position[];
  /** Offset just past this compound in the source. */
  end: number;
}

export interface ParsedSelector {
  source: string;
  compounds: Compound[];
  /** combinators[i] joins compounds[i] and compounds[i + 1]. */
  combinators: Array<'child' | 'descendant'>;
}

/** A selector that does not parse; `position` is the 0-based offset of the problem. */
export class SelectorSyntaxError extends Error {
  constructor(
    readonly selector: string,
    readonly position: number,
    readonly reason: string,
  ) {
    super(`invalid selector at position ${position}: ${reason}\n  ${selector}\n  ${' '.repeat(position)}^`);
    this.name = 'SelectorSyntaxError';
  }
}

const KINDS: readonly string[] = ['plan', 'pass', 'step', 'call', 'span', '*'];
const OPS: readonly Op[] = ['!=', '<=', '>=', '*=', '^=', '$=', '=', '<', '>'];
const UNIT_MS: Record<string, number> = { us: 0.001, 'µs': 0.001, ms: 1, s: 1000, m: 60_000 };
const MAX_SELECTOR = 4096;

export function parseSelector(source: string): ParsedSelector {
  if (typeof source !== 'string') throw new TypeError('a selector is a string');
  if (source.length > MAX_SELECTOR) throw new SelectorSyntaxError(source.slice(0, 80) + '…', 80, `longer than ${MAX_SELECTOR} characters`);
  let i = 0;
  const s = source;
  const fail = (reason: string, at = i): never => {
    throw new SelectorSyntaxError(s, at, reason);
  };
  const ws = () => {
    const start = i;
    while (i < s.length && /\s/.test(s[i]!)) i++;
    return i > start;
  };
  const name = (): string => {
    const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(s.slice(i));
    if (!m) return fail(`expected a name, found ${describe(s, i)}`);
    i += m[0].length;
    return m[0];
  };
  const quoted = (): string => {
    const q = s[i]!;
    const start = i;
    i++;
    let out = '';
    while (i < s.length && s[i] !== q) {
      if (s[i] === '\\' && i + 1 < s.length) i++;
      out += s[i];
      i++;
    }
    if (i >= s.length) fail(`unterminated string (opened at position ${start})`, start);
    i++;
    return out;
  };
  const value = (): Value => {
    const c = s[i];
    if (c === '"' || c === "'") return { type: 'string', value: quoted() };
    const num = /^-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?/i.exec(s.slice(i));
    if (num) {
      i += num[0].length;
      const unit = /^(?:us|µs|ms|s|m)(?![A-Za-z0-9_])/.exec(s.slice(i));
      if (unit) {
        i += unit[0].length;
        return { type: 'number', value: Number(num[0]) * UNIT_MS[unit[0]]!, unit: true };
      }
      if (/^[A-Za-z_]/.test(s.slice(i))) fail(`unknown unit "${/^[A-Za-z_µ]+/.exec(s.slice(i))![0]}" (use us, ms, s or m)`);
      return { type: 'number', value: Number(num[0]), unit: false };
    }
    const word = /^[^\s\]"'[]+/.exec(s.slice(i));
    if (!word) return fail(`expected a value, found ${describe(s, i)}`);
    i += word[0].length;
    if (word[0] === 'true' || word[0] === 'false') return { type: 'boolean', value: word[0] === 'true' };
    return { type: 'string', value: word[0] };
  };
  const test = (): FieldTest => {
    ws();
    let field: FieldTest['field'];
    if (s[i] === '"' || s[i] === "'") field = { type: 'attr', key: quoted() };
    else {
      let key = name();
      while (s[i] === '.') {
        i++;
        key += '.' + name();
      }
      field = key === 'name' ? { type: 'name' } : key === 'duration' ? { type: 'duration' } : key === 'status' ? { type: 'status' } : { type: 'attr', key };
    }
    ws();
    if (s[i] === ']') return { field };
    const opAt = i;
    const op = OPS.find((o) => s.startsWith(o, i));
    if (!op) return fail(`expected "]" or an operator (= != < <= > >= *= ^= $=), found ${describe(s, i)}`);
    i += op.length;
    ws();
    const at = i;
    const v = value();
    if (field.type === 'duration' && v.type !== 'number') fail('duration is compared with a number of ms or a duration such as 100ms or 1.5s', at);
    if ((op === '*=' || op === '^=' || op === '$=') && v.type !== 'string') fail(`${op} compares text: quote the value`, at);
    if (field.type === 'status' && (v.type !== 'string' || !['ok', 'error', 'unset'].includes(v.value))) fail('status is one of ok, error, unset', at);
    if (field.type === 'status' && op !== '=' && op !== '!=') fail('status is compared with = or !=', opAt);
    ws();
    return { field, op, value: v };
  };
  const compound = (): Compound => {
    const start = i;
    let kind: SpanKindSelector = 'span';
    let any = false;
    if (s[i] === '*') {
      i++;
      any = true;
    } else if (/^[A-Za-z]/.test(s[i] ?? '')) {
      const k = name();
      if (!KINDS.includes(k)) fail(`unknown kind "${k}" (plan, pass, step, call, span or *)`, start);
      kind = k as SpanKindSelector;
      any = true;
    }
    const tests: FieldTest[] = [];
    const positions: Position[] = [];
    for (;;) {
      if (s[i] === '[') {
        i++;
        tests.push(test());
        if (s[i] !== ']') fail(`expected "]", found ${describe(s, i)}`);
        i++;
        any = true;
      } else if (s[i] === ':') {
        i++;
        const at = i;
        const p = name();
        if (p === 'first') positions.push({ type: 'first' });
        else if (p === 'last') positions.push({ type: 'last' });
        else if (p === 'nth') {
          if (s[i] !== '(') fail('expected "(" after :nth');
          i++;
          ws();
          const m = /^-?\d+/.exec(s.slice(i));
          if (!m) fail(`expected an integer in :nth(…), found ${describe(s, i)}`);
          const index = Number(m![0]);
          if (index === 0) fail(':nth counts from 1 (or from -1 at the end)');
          i += m![0].length;
          ws();
          if (s[i] !== ')') fail(`expected ")", found ${describe(s, i)}`);
          i++;
          positions.push({ type: 'nth', index });
        } else fail(`unknown pseudo-class ":${p}" (:first, :last, :nth(i))`, at);
        any = true;
      } else break;
    }
    if (!any) fail(`expected a kind, "[" or ":", found ${describe(s, i)}`);
    return { kind, tests, positions, end: i };
  };

  const compounds: Compound[] = [];
  const combinators: Array<'child' | 'descendant'> = [];
  ws();
  if (i >= s.length) fail('empty selector');
  compounds.push(compound());
  for (;;) {
    const spaced = ws();
    if (i >= s.length) break;
    if (s[i] === '>') {
      i++;
      ws();
      if (i >= s.length) fail('expected a selector after ">"');
      combinators.push('child');
    } else if (spaced) combinators.push('descendant');
    else fail(`unexpected ${describe(s, i)}`);
    compounds.push(compound());
  }
  return { source, compounds, combinators };
}

function describe(s: string, i: number): string {
  return i >= s.length ? 'the end' : `"${s[i]}"`;
}
