import { ts } from 'ts-morph';
import type { IndexedPlan } from '../procedureIndex';
import type { RuleContext } from '../ruleContext';
import { refersTo } from '../shapeChecker';
import { asFunction, calleePath } from '../tsUtil';

/** side-effect-in-create: create() should read state and return steps; state-changing calls belong in a step. */
export function checkSideEffects(plan: IndexedPlan, rc: RuleContext, pattern: RegExp): void {
  const body = plan.fn.body;
  if (!body) return;
  const label = plan.info.planName.value ?? plan.info.name ?? 'plan';
  const visit = (n: ts.Node): void => {
    if (ts.isClassLike(n)) return;
    if (ts.isCallExpression(n)) {
      // steps made inline are not run by create(): do not look into the helper's callback
      if (refersTo(n.expression, rc.runtime.procedureHelpers, rc.runtime, 'procedure')) return;
      const path = calleePath(n.expression);
      const method = path?.[path.length - 1];
      if (method && pattern.test(method) && (awaitedHere(n) || rc.externals.viaPackage(n) || rc.externals.externalName(n))) {
        rc.report(
          'side-effect-in-create',
          n,
          `create() of ${label} calls ${path!.slice(-2).join('.')}, which looks like it changes state: create() runs on every pass and should only read the world and return steps; move the change into a procedure.`,
          plan.info.key,
          [],
        );
      }
    }
    if (ts.isFunctionLike(n) && n !== plan.fn && !asFunction(n)) return;
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(body, visit);
}

/** `await x()`, `return x()` or `x().then(…)`: the call's own promise is waited for (not a step built for the return value). */
function awaitedHere(call: ts.CallExpression): boolean {
  const p = call.parent;
  return ts.isAwaitExpression(p) || ts.isReturnStatement(p) || (ts.isPropertyAccessExpression(p) && p.name.text === 'then');
}
