import type { StepContext } from 'instrument-first';

/**
 * Every cloud call is a child span carrying its request and response, the way the source
 * articles trace all AWS requests.
 */
export function cloudCall<Req, Res>(ctx: StepContext, service: string, method: string, request: Req, call: (req: Req) => Promise<Res>): Promise<Res> {
  return ctx.trace(
    `${service} ${method}`,
    async (span) => {
      span.setAttribute('aws.request', JSON.stringify(request));
      const response = await call(request);
      span.setAttribute('aws.response', JSON.stringify(response));
      return response;
    },
    { 'rpc.system': 'aws-api', 'rpc.service': service, 'rpc.method': method },
  );
}
