import { ts } from 'ts-morph';
import type { IndexedProcedure } from '../procedureIndex';
import type { RuleContext } from '../ruleContext';
import { calleePath } from '../tsUtil';

const UNSTABLE_CALLS = new Set([
  'Date.now', 'Math.random', 'performance.now', 'crypto.randomUUID', 'randomUUID', 'crypto.randomBytes', 'randomBytes',
  'crypto.getRandomValues', 'process.hrtime', 'process.hrtime.bigint', 'uuid', 'uuidv4', 'uuid.v4', 'v4', 'nanoid', 'ulid', 'cuid',
]);

/** Why an id expression changes between passes or runs, or undefined when it does not. */
export function unstableReason(expr: ts.Expression): string | undefined {
  let reason: string | undefined;
  const visit = (n: ts.Node): void => {
    if (reason) return;
    if (ts.isCallExpression(n)) {
      const path = calleePath(n.expression)?.join('.');
      if (path && UNSTABLE_CALLS.has(path)) reason = `${path}()`;
    } else if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'Date' && !n.arguments?.length) {
      reason = 'new Date()';
    } else if ((ts.isPostfixUnaryExpression(n) || ts.isPrefixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)) {
      reason = 'a counter';
    } else if (ts.isBinaryExpression(n) && (n.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken || n.operatorToken.kind === ts.SyntaxKind.MinusEqualsToken)) {
      reason = 'a counter';
    }
    if (!reason && !ts.isFunctionLike(n)) ts.forEachChild(n, visit);
  };
  visit(expr);
  return reason;
}

/** unstable-step-id: an id built from time, randomness or counters cannot be matched across passes and runs. */
export function checkUnstableId(proc: IndexedProcedure, rc: RuleContext): void {
  const expr = proc.idExpr;
  if (!expr) return;
  const reason = unstableReason(expr);
  if (!reason) return;
  rc.report(
    'unstable-step-id',
    expr,
    `The id of ${proc.info.name ?? 'this procedure'} is built from ${reason}: it differs in every pass and run, so steps cannot be matched across passes, runs or compared traces. Derive it from the step's inputs.`,
    proc.info.key,
    [],
  );
}
