import { RULE_IDS, type LintConfig, type LintConfigInput, type RuleId, type SeveritySetting } from '../protocol/lintTypes';

export type { LintConfig, LintConfigInput };


export const DEFAULT_SEVERITY: Record<RuleId, SeveritySetting> = {
  'uninstrumented-procedure': 'warning',
  'swallowed-error': 'error',
  'untraced-external-call': 'warning',
  'unstable-step-id': 'warning',
  'side-effect-in-create': 'warning',
};

export const DEFAULT_EXTERNAL_CALLS = [
  'fetch',
  'globalThis.fetch',
  'http.*',
  'https.*',
  'http2.connect',
  'net.connect',
  'axios',
  'axios.*',
  '**.send',
  '**.query',
  '**.ec2.*',
  '**.elbv2.*',
  '**.elb.*',
  '**.s3.*',
  '**.dynamodb.*',
  '**.sqs.*',
  '**.sns.*',
  '**.lambda.*',
  '**.iam.*',
  '**.rds.*',
];

export const DEFAULT_EXTERNAL_MODULES = [
  'http',
  'https',
  'node:http',
  'node:https',
  'undici',
  'axios',
  'node-fetch',
  '@aws-sdk/*',
  'aws-sdk',
  '@google-cloud/*',
  '@azure/*',
  'pg',
  'mysql2',
  'mysql2/*',
  'mongodb',
  'ioredis',
  'redis',
];

export const DEFAULT_SIDE_EFFECT_PATTERN =
  '^(create|delete|update|put|post|patch|remove|register|deregister|attach|detach|terminate|modify|write|insert|authorize|revoke|reboot|destroy|drop|run|start|stop|send|publish|upload|associate|disassociate)([A-Z_0-9]|$)';

export function resolveLintConfig(input: LintConfigInput = {}): LintConfig {
  const severity = { ...DEFAULT_SEVERITY };
  for (const [rule, value] of Object.entries(input.severity ?? {})) {
    if (!(RULE_IDS as readonly string[]).includes(rule)) throw new Error(`unknown rule "${rule}"`);
    if (value !== 'error' && value !== 'warning' && value !== 'info' && value !== 'off') throw new Error(`invalid severity "${String(value)}" for ${rule}`);
    severity[rule as RuleId] = value;
  }
  const sideEffectPattern = input.sideEffectPattern ?? DEFAULT_SIDE_EFFECT_PATTERN;
  new RegExp(sideEffectPattern); // fail early on a bad pattern
  return {
    severity,
    externalCalls: input.externalCalls ?? DEFAULT_EXTERNAL_CALLS,
    externalModules: input.externalModules ?? DEFAULT_EXTERNAL_MODULES,
    sideEffectPattern,
    maxCallDepth: Math.max(0, Math.min(input.maxCallDepth ?? 2, 5)),
  };
}

/** Compiles dotted glob patterns into one matcher over callee path segments. */
export function compileCallPatterns(patterns: readonly string[]): (segments: readonly string[]) => boolean {
  const compiled = patterns.map((p) => p.split('.'));
  const matchFrom = (pat: string[], pi: number, seg: readonly string[], si: number): boolean => {
    if (pi === pat.length) return si === seg.length;
    const head = pat[pi];
    if (head === '**') {
      for (let k = si; k <= seg.length; k++) if (matchFrom(pat, pi + 1, seg, k)) return true;
      return false;
    }
    if (si === seg.length) return false;
    return (head === '*' || head === seg[si]) && matchFrom(pat, pi + 1, seg, si + 1);
  };
  return (segments) => compiled.some((pat) => matchFrom(pat, 0, segments, 0));
}

/** Module specifier globs: `@aws-sdk/*` matches `@aws-sdk/client-s3`. */
export function compileModulePatterns(patterns: readonly string[]): (specifier: string) => boolean {
  const exact = new Set(patterns.filter((p) => !p.endsWith('/*')));
  const prefixes = patterns.filter((p) => p.endsWith('/*')).map((p) => p.slice(0, -1));
  return (s) => exact.has(s) || prefixes.some((p) => s.startsWith(p));
}
