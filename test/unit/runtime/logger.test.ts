import { test } from 'node:test';
import assert from 'node:assert/strict';
import { procedure } from '../../../src/runtime/procedure';
import { Attr, LOG_EVENT_NAME } from '../../../src/protocol/attributes';
import { memoryScheduler, spansOf, byName } from './helpers';

test('every log line carries trace_id, span_id and procedure.id, and is attached to the span', async () => {
  const lines: string[] = [];
  const { scheduler, tracing } = memoryScheduler({ log: { format: 'json', write: (l) => lines.push(l), level: 'debug' } });
  const result = await scheduler.execute({
    name: 'logs',
    create: (ctx) => {
      ctx.log.debug('planning', { pass: ctx.pass });
      return ctx.pass === 1 ? [procedure('talk', (c) => c.log.warn('disk almost full', { free_gb: 3, host: 'node 1' }))] : [];
    },
  });
  const spans = spansOf(tracing, result.traceId);
  const step = byName(spans, 'talk');
  const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const warn = records.find((r) => r.msg === 'disk almost full')!;
  assert.equal(warn.level, 'warn');
  assert.equal(warn.trace_id, result.traceId);
  assert.equal(warn.span_id, step.spanId);
  assert.equal(warn['procedure.id'], 'talk');
  assert.equal(warn.free_gb, 3);
  const planning = records.filter((r) => r.msg === 'planning');
  assert.equal(planning.length, 2);
  assert.equal(planning[0]!.span_id, byName(spans, 'pass 1').spanId);
  const ev = step.events.find((e) => e.name === LOG_EVENT_NAME)!;
  assert.equal(ev.attributes[Attr.logSeverity], 'warn');
  assert.equal(ev.attributes[Attr.logMessage], 'disk almost full');
  assert.equal(ev.attributes.host, 'node 1');
});

test('pretty lines are readable and respect the level; debug still reaches the span', async () => {
  const lines: string[] = [];
  const { scheduler, tracing } = memoryScheduler({ log: { format: 'pretty', write: (l) => lines.push(l) } });
  const result = await scheduler.execute({
    name: 'pretty',
    create: (ctx) => (ctx.pass === 1 ? [procedure('p', (c) => (c.log.debug('hidden'), c.log.info('shown', { zone: 'eu west' })))] : []),
  });
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^INF \[p\] shown zone="eu west" trace_id=[0-9a-f]{32} span_id=[0-9a-f]{16}$/);
  const step = byName(spansOf(tracing, result.traceId), 'p');
  assert.deepEqual(step.events.map((e) => e.attributes[Attr.logMessage]), ['hidden', 'shown']);
});
