import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RuleId } from '../protocol/lintTypes';

export const DIAGNOSTIC_SOURCE = 'instrument-first';

export interface RuleMeta {
  id: RuleId;
  title: string;
  rationale: string;
  /** The rule's page, relative to the package root: `docs/rules/<id>.md`. */
  docsPath: string;
}

const meta = (id: RuleId, title: string, rationale: string): RuleMeta => ({ id, title, rationale, docsPath: `docs/rules/${id}.md` });

/**
 * Where a rule's page is: a file inside the installed package (the extension's folder, or
 * node_modules/instrument-first). The project has no public web address, and a page that ships
 * with the code works offline and always matches the version that reported the finding.
 */
export function ruleDocsUrl(id: RuleId, packageRoot: string): string {
  return pathToFileURL(join(packageRoot, RULES[id].docsPath)).href;
}

export const RULES: Record<RuleId, RuleMeta> = {
  'uninstrumented-procedure': meta(
    'uninstrumented-procedure',
    'Procedure records nothing on its span',
    'A step whose do() adds no attribute, event, child span, ctx.trace call or log line produces a span that shows only timing: when it misbehaves, its trace cannot say why.',
  ),
  'swallowed-error': meta(
    'swallowed-error',
    'Error swallowed in a procedure',
    'A catch that neither rethrows nor records the error makes a failed step look successful: the plan "converges" while the world is wrong, and nothing in the trace shows it.',
  ),
  'untraced-external-call': meta(
    'untraced-external-call',
    'External call outside a child span',
    'Requests to the cloud, databases or HTTP services are where steps spend time and fail; without a child span per call, the trace cannot show which call was slow, missing or failed.',
  ),
  'unstable-step-id': meta(
    'unstable-step-id',
    'Step id built from time, randomness or a counter',
    'Step ids match steps across passes and runs (convergence, CodeLens statistics, comparing a good trace with a bad one); an id that changes on every run matches nothing.',
  ),
  'side-effect-in-create': meta(
    'side-effect-in-create',
    'State-changing call in create()',
    'create() runs on every pass and must only read the world and return steps; changes made there are untraced by the step spans, repeated on every pass, and break idempotence.',
  ),
};
