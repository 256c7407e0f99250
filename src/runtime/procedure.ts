import type { Plan, PlanContext, Procedure, StepContext } from './types';

/** Marks procedures made by {@link procedure}, so their span says which function they run. */
export const PROCEDURE_FN = Symbol.for('instrument-first.procedure-fn');

/** Makes a procedure from a function: `procedure('create-sg', async (ctx) => { … })`. */
export function procedure(
  id: string,
  run: (ctx: StepContext) => Promise<Procedure[] | void> | Procedure[] | void,
): Procedure {
  return { id, do: run, [PROCEDURE_FN]: run } as Procedure;
}

/** Makes a plan from a create function: `plan('checkout', (ctx) => [ … ])`. */
export function plan(name: string, create: (ctx: PlanContext) => Promise<Procedure[]> | Procedure[]): Plan {
  return { name, create };
}

/** The type name recorded as `procedure.type`: the class name, `function` for helper-made steps. */
export function procedureTypeName(step: Procedure): string {
  if ((step as unknown as Record<symbol, unknown>)[PROCEDURE_FN]) return 'function';
  const ctor = (step as object).constructor;
  return ctor && ctor !== Object && typeof ctor.name === 'string' && ctor.name ? ctor.name : 'object';
}

/** True when `value` has the shape of a procedure. */
export function isProcedure(value: unknown): value is Procedure {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Procedure).id === 'string' &&
    typeof (value as Procedure).do === 'function'
  );
}

/** True when `value` has the shape of a plan. */
export function isPlan(value: unknown): value is Plan {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Plan).name === 'string' &&
    typeof (value as Plan).create === 'function'
  );
}
