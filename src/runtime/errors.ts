/** An error that ended a plan run, carrying where it happened and the run's trace id. */
export class PlanRunError extends Error {
  constructor(
    message: string,
    readonly traceId: string,
    readonly pass: number,
    readonly stepId: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PlanRunError';
  }
}

/** create() still returned steps after the allowed number of passes. */
export class NotConvergedError extends PlanRunError {
  constructor(plan: string, traceId: string, passes: number, readonly remaining: string[]) {
    const shown = remaining.slice(0, 10).join(', ') + (remaining.length > 10 ? `, … (${remaining.length} in all)` : '');
    super(`plan "${plan}" did not converge after ${passes} passes; the last pass still returned: ${shown}`, traceId, passes, undefined);
    this.name = 'NotConvergedError';
  }
}

/** The run was cancelled through its AbortSignal. */
export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : safeString(value));
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
