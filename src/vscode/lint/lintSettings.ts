import type { LintConfigInput } from '../../linter/lintConfig';
import { RULE_IDS, type RuleId, type SeveritySetting } from '../../protocol/lintTypes';

/** `instrumentFirst.lint.*` settings. Pure: the caller passes the configuration getter. */
export interface LintSettings {
  enabled: boolean;
  /** Milliseconds after the last keystroke before a changed document is re-analysed. */
  debounceMs: number;
  config: LintConfigInput;
}

/** `instrumentFirst.lint.*` defaults as package.json declares them (checked by a unit test). */
export const LINT_SETTING_DEFAULTS: Readonly<Record<string, unknown>> = {
  'lint.enabled': true,
  'lint.debounceMs': 300,
  'lint.severity': {},
  'lint.externalCalls': null,
  'lint.externalModules': null,
  'lint.sideEffectPattern': '',
  'lint.maxCallDepth': 2,
};

const SEVERITIES: readonly string[] = ['error', 'warning', 'info', 'off'];

export function readLintSettings(get: (key: string) => unknown): LintSettings {
  const config: LintConfigInput = {};
  const sev = get('severity');
  if (sev && typeof sev === 'object') {
    const severity: Partial<Record<RuleId, SeveritySetting>> = {};
    for (const [k, v] of Object.entries(sev as Record<string, unknown>)) {
      if ((RULE_IDS as readonly string[]).includes(k) && typeof v === 'string' && SEVERITIES.includes(v)) severity[k as RuleId] = v as SeveritySetting;
    }
    config.severity = severity;
  }
  const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);
  const calls = strings(get('externalCalls'));
  if (calls) config.externalCalls = calls;
  const modules = strings(get('externalModules'));
  if (modules) config.externalModules = modules;
  const pattern = get('sideEffectPattern');
  if (typeof pattern === 'string' && pattern && isRegExp(pattern)) config.sideEffectPattern = pattern;
  const depth = get('maxCallDepth');
  if (typeof depth === 'number' && Number.isInteger(depth) && depth >= 0 && depth <= 5) config.maxCallDepth = depth;
  const debounce = get('debounceMs');
  return {
    enabled: get('enabled') !== false,
    debounceMs: typeof debounce === 'number' && debounce >= 0 && debounce <= 5000 ? debounce : (LINT_SETTING_DEFAULTS['lint.debounceMs'] as number),
    config,
  };
}

function isRegExp(s: string): boolean {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}
