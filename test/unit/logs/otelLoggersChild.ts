// A program as a user would write it: the OpenTelemetry logs SDK registered globally, pino and
// winston through their official OTel instrumentations, and a plan whose one step logs through
// ctx.log, pino and winston. argv[2]: the collector's base URL. Prints the run's trace id.
import { context } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { WinstonInstrumentation } from '@opentelemetry/instrumentation-winston';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { PassThrough } from 'node:stream';
import type * as Pino from 'pino';
import type * as Winston from 'winston';
import { plan, procedure } from '../../../src/runtime/procedure';
import { Scheduler } from '../../../src/runtime/scheduler';
import { createTracing } from '../../../src/runtime/tracing';

async function main(): Promise<void> {
  const endpoint = process.argv[2]!;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'loggers-program' }),
    processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${endpoint}/v1/logs` }) })],
  });
  logs.setGlobalLoggerProvider(provider);
  registerInstrumentations({ instrumentations: [new PinoInstrumentation(), new WinstonInstrumentation()] });
  // Required after the instrumentations are registered, as their docs ask.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const pino = require('pino') as typeof Pino;
  const winston = require('winston') as typeof Winston;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const pinoLogger = pino.pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: true }));
  const winstonLogger = winston.createLogger({ level: 'info', transports: [new winston.transports.Stream({ stream: new PassThrough() })] });
  const tracing = createTracing({ endpoint, serviceName: 'loggers-program', logRecords: 'logs', env: {} });
  let ran = false;
  const p = plan('loggers', () =>
    ran
      ? []
      : [
          procedure('charge_card', (ctx) => {
            ran = true;
            ctx.log.info('card charged', { amount: 12 });
            pinoLogger.info({ amount: 12 }, 'card charged');
            winstonLogger.info('card charged', { amount: 12 });
          }),
        ],
  );
  const result = await new Scheduler({ tracing }).execute(p);
  await tracing.shutdown();
  await provider.shutdown();
  process.stdout.write(JSON.stringify({ traceId: result.traceId, outcome: result.outcome }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(String(err instanceof Error ? err.stack : err) + '\n');
  process.exit(1);
});
