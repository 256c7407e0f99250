// Span links and the OTLP value kinds in the timeline's details pane (headless Chromium):
// a link to a span of this run selects it, a link to another trace asks the host to open it;
// screenshots in light and dark into test-results/.
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeSpanBatch } from '../../src/protocol/spanBatch';
import type { SpanView } from '../../src/protocol/spanView';
import { timelineSuite, type TimelinePage } from './harness';
import type { ThemeKind } from './themes';

const OUT = join(__dirname, '..', '..', '..', 'test-results');
const TRACE = 'aaaabbbbccccddddeeeeffff00001111';
const OTHER = '0af7651916cd43dd8448eb211c80319c';

mkdirSync(OUT, { recursive: true });
const open = timelineSuite();

function sp(id: string, parent: string | undefined, name: string, start: number, end: number, attrs: SpanView['attributes']): SpanView {
  const s: SpanView = { traceId: TRACE, spanId: id, name, startMs: 1000 + start, endMs: 1000 + end, status: 'unset', attributes: attrs, events: [] };
  if (parent) s.parentSpanId = parent;
  return s;
}

function smallRun(): SpanView[] {
  return [
    sp('r', undefined, 'plan create-cluster', 0, 1000, { 'instrument_first.kind': 'plan', 'plan.outcome': 'converged', 'plan.passes': 1 }),
    sp('p1', 'r', 'pass 1', 1, 999, { 'instrument_first.kind': 'pass', 'plan.pass': 1 }),
    sp('s1', 'p1', 'create_security_group', 2, 200, { 'instrument_first.kind': 'step', 'procedure.id': 'create_security_group' }),
    sp('c1', 's1', 'EC2 CreateSecurityGroup', 10, 150, { 'instrument_first.kind': 'call', 'rpc.service': 'EC2' }),
    sp('s2', 'p1', 'register_cluster_node_to_lb', 210, 880, { 'instrument_first.kind': 'step', 'procedure.id': 'register_cluster_node_to_lb' }),
    sp('c2', 's2', 'ELBv2 RegisterTargets', 220, 500, { 'instrument_first.kind': 'call', 'rpc.service': 'ELBv2' }),
    sp('c3', 's2', 'ELBv2 RegisterTargets', 510, 860, { 'instrument_first.kind': 'call', 'rpc.service': 'ELBv2' }),
  ];
}

/** The small run, its last call linking to a step of this run and to a span of another trace. */
function linkedRun(): SpanView[] {
  return smallRun().map((s) =>
    s.spanId === 'c3'
      ? {
          ...s,
          kind: 3,
          traceState: 'congo=t61rcWkgMzE',
          flags: 0x101,
          attributes: {
            ...s.attributes,
            'aws.request_id': { kind: 'int', value: '9223372036854775807' },
            'retry.delay': { kind: 'double', value: '3' },
            'request.body': { kind: 'truncated', value: '{"Targets":[{"Id":"i-0abc', length: 10_485_760 },
            'request.params': { kind: 'kvlist', keys: ['TargetGroupArn', 'Ports'], values: ['arn:aws:elasticloadbalancing:…', [80, 443]] },
            checksum: { kind: 'bytes', base64: 'AQL/' },
          },
          links: [
            { traceId: TRACE, spanId: 's1', traceState: 'rojo=00f067aa0ba902b7', flags: 1, attributes: { 'link.reason': 'retries the security group' } },
            { traceId: OTHER, spanId: 'b7ad6b7169203331', attributes: { 'messaging.batch': true } },
          ],
        }
      : s,
  );
}

async function show(tp: TimelinePage): Promise<void> {
  const n = (await tp.posted()).length;
  await tp.post({ type: 'showRun', traceId: TRACE, title: 'create-cluster', spans: encodeSpanBatch(linkedRun()), live: false });
  await tp.waitFor('rendered', n);
}

const THEMES: ThemeKind[] = ['light', 'dark'];

void test('links in the span details: one opens the linked span of this run, the other asks the host for its trace', async () => {
  for (const theme of THEMES) {
    const tp = await open({ theme, width: 1400, height: 900 });
    try {
      await show(tp);
      await tp.page.locator('.row .label:text-is("ELBv2 RegisterTargets")').nth(1).click();
      const text = (await tp.page.textContent('.details'))!;
      assert.match(text, /Links \(2\)/);
      assert.match(text, /aaaabbbbccccddddeeeeffff00001111 \/ s1/);
      assert.match(text, /rojo=00f067aa0ba902b7/);
      assert.match(text, /9223372036854775807/);
      assert.match(text, /truncated, 10485760 bytes/);
      assert.match(text, /\{"TargetGroupArn": "arn:aws:elasticloadbalancing:…", "Ports": \[80,443\]\}/);
      assert.match(text, /client/);
      assert.match(text, /0x101 sampled local parent/);
      await tp.page.screenshot({ path: join(OUT, `timeline-links-${theme}.png`) });
      await tp.page.setViewportSize({ width: 760, height: 900 });
      await tp.page.screenshot({ path: join(OUT, `timeline-links-${theme}-760.png`) });
      await tp.page.setViewportSize({ width: 1400, height: 900 });
      // The link into this run selects that span.
      await tp.page.locator('.details .link').nth(0).locator('button.open-link').click();
      assert.match((await tp.page.textContent('.details-title'))!, /create_security_group/);
      // Back to the linking span; the link to another trace goes to the host.
      await tp.page.locator('.row .label:text-is("ELBv2 RegisterTargets")').nth(1).click();
      const n = (await tp.posted()).length;
      await tp.page.locator('.details .link').nth(1).locator('button.open-link').click();
      const m = await tp.waitFor('openLink', n);
      assert.deepEqual(m, { type: 'openLink', traceId: OTHER, spanId: 'b7ad6b7169203331' });
      await tp.post({ type: 'notice', text: `The linked trace ${OTHER} is not in the collector.` });
      await tp.page.waitForSelector('.details .notice:has-text("not in the collector")');
      assert.deepEqual(tp.dialogs, []);
    } finally {
      await tp.close();
    }
  }
});
