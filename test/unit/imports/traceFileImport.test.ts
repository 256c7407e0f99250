import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertTraceFile, importConverted, ImportError, sniffTraceFile, type ConvertedTraceFile } from '../../../src/collector/importers';
import { SpanStore } from '../../../src/collector/store/spanStore';
import { fixture } from './helpers';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function spansOf(c: ConvertedTraceFile): { span: Obj; resource: Obj; scope: Obj }[] {
  const out: { span: Obj; resource: Obj; scope: Obj }[] = [];
  for (const r of c.requests) for (const rs of r.resourceSpans as Obj[]) for (const ss of rs.scopeSpans) for (const span of ss.spans) out.push({ span, resource: rs.resource, scope: ss.scope });
  return out;
}

function attrs(list: Obj[] | undefined): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const kv of list ?? []) o[kv.key] = Object.values(kv.value)[0];
  return o;
}

function fails(text: string, file: string): ImportError {
  try {
    convertTraceFile(text, file);
  } catch (e) {
    assert.ok(e instanceof ImportError, `expected an ImportError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the file to be refused');
}

test('Jaeger UI JSON converts to the OTLP/JSON that jaeger-ui pairs it with, field by field', () => {
  const c = convertTraceFile(fixture('jaeger-ui-otlp2jaeger-out.json'), 'out.json');
  assert.equal(c.format, 'jaeger-json');
  const expected = JSON.parse(fixture('jaeger-ui-otlp2jaeger-in.json')) as Obj;
  const ours = spansOf(c);
  const theirs: { span: Obj; resource: Obj; scope: Obj }[] = [];
  for (const rs of expected.resourceSpans) for (const ss of rs.scopeSpans) for (const span of ss.spans) theirs.push({ span, resource: rs.resource, scope: ss.scope });
  assert.equal(ours.length, theirs.length);
  for (let i = 0; i < ours.length; i++) {
    const a = ours[i]!;
    const b = theirs[i]!;
    for (const f of ['traceId', 'spanId', 'parentSpanId', 'name', 'kind', 'startTimeUnixNano', 'endTimeUnixNano']) assert.equal(a.span[f], b.span[f], f);
    assert.deepEqual(attrs(a.span.attributes), attrs(b.span.attributes), 'attributes (span.kind and otel.library.name are not attributes)');
    assert.equal(a.span.status.code, b.span.status.code ?? 0, 'status');
    assert.deepEqual(attrs(a.resource.attributes), attrs(b.resource.attributes), 'resource');
    assert.equal(a.scope.name, b.scope.name, 'scope from otel.library.name');
  }
});

test("Jaeger's ui_01 fixture: padded ids, parent and links from references, typed tags, logs as events, processes as resources", () => {
  const c = convertTraceFile(fixture('jaeger-ui_01.json'), 'ui_01.json');
  assert.equal(c.format, 'jaeger-json');
  assert.equal(c.spans, 5);
  const spans = spansOf(c);
  const first = spans[0]!;
  assert.equal(first.span.traceId, '00000000000000000000000000000001');
  assert.equal(first.span.spanId, '0000000000000002');
  assert.equal(first.span.startTimeUnixNano, '1485467191639875000');
  assert.equal(first.span.endTimeUnixNano, '1485467191639880000');
  assert.deepEqual(
    first.span.events.map((e: Obj) => [e.name, e.timeUnixNano, attrs(e.attributes)]),
    [
      ['some-event', '1485467191639875000', {}],
      ['', '1485467191639875000', { x: 'y' }],
    ],
  );
  assert.deepEqual(attrs(first.resource.attributes), { 'service.name': 'service-x' });
  const tagged = spans[1]!.span;
  assert.deepEqual(attrs(tagged.attributes), {
    'peer.service': 'service-y',
    'peer.ipv4': '23456',
    temperature: 72.5,
    javascript_limit: '9223372036854775222',
    blob: 'AAAwOQ==',
  });
  assert.equal(tagged.status.code, 2, 'error=true is status ERROR');
  const child = spans.find((s) => s.span.spanId === '0000000000000003')!;
  assert.equal(child.span.parentSpanId, '0000000000000002');
  assert.deepEqual(attrs(child.resource.attributes), { 'service.name': 'service-y' });
  const multi = spans.find((s) => s.span.spanId === '0000000000000004')!.span;
  assert.equal(multi.parentSpanId, '0000000000000002', 'the CHILD_OF within the trace, not the one to another trace');
  assert.deepEqual(
    multi.links.map((l: Obj) => [l.traceId, l.spanId, attrs(l.attributes)['opentracing.ref_type']]),
    [
      ['000000000000000000000000000000ff', '00000000000000ff', 'child_of'],
      ['00000000000000000000000000000001', '0000000000000002', 'follows_from'],
    ],
  );
  assert.deepEqual(multi.attributes.find((kv: Obj) => kv.key === 'jaeger.warnings')?.value, { arrayValue: { values: [{ stringValue: 'some span warning' }] } });
  const store = new SpanStore();
  const r = importConverted(store, c);
  assert.deepEqual(r.traceIds, ['00000000000000000000000000000001']);
  assert.equal(store.trace(r.traceIds[0]!).length, 4, 'the fixture has span 2 twice; the store keeps one per id');
  store.dispose();
});

test('Zipkin v2: kinds, endpoints, tags, annotations; shared server spans get their own id under the client', () => {
  const client = convertTraceFile(fixture('zipkin2-client.json'), 'client.json');
  assert.equal(client.format, 'zipkin-json');
  const [one] = spansOf(client);
  assert.equal(one!.span.traceId, '4d1e00c0db9010db86154a4ba6e91385');
  assert.equal(one!.span.spanId, '4d1e00c0db9010db');
  assert.equal(one!.span.parentSpanId, '86154a4ba6e91385');
  assert.equal(one!.span.kind, 3);
  assert.equal(one!.span.startTimeUnixNano, '1472470996199000000');
  assert.equal(one!.span.endTimeUnixNano, '1472470996406000000');
  assert.deepEqual(attrs(one!.resource.attributes), { 'service.name': 'frontend' });
  assert.deepEqual(attrs(one!.span.attributes), {
    'network.local.address': '2001:db8::c001',
    'peer.service': 'backend',
    'network.peer.address': '192.168.99.101',
    'network.peer.port': '9000',
    'http.path': '/api',
    'clnt/finagle.version': '6.45.0',
  });
  assert.deepEqual(
    one!.span.events.map((e: Obj) => [e.name, e.timeUnixNano]),
    [
      ['foo', '1472470996238000000'],
      ['bar', '1472470996403000000'],
    ],
  );

  const ascend = convertTraceFile(fixture('zipkin-ascend.json'), 'ascend.json');
  const spans = spansOf(ascend).map((s) => s.span);
  assert.equal(spans.length, 8);
  assert.ok(spans.every((s) => s.traceId === '0000000000000000ef86c83c0a05a6d6'), '64-bit trace ids are left-padded');
  const server = spans.find((s) => s.name === 'get /content/personal')!;
  assert.equal(server.kind, 2);
  assert.equal(server.parentSpanId, 'ecc00062ceef4bf0', "the shared server half is the client's child");
  assert.notEqual(server.spanId, 'ecc00062ceef4bf0');
  assert.equal(attrs(server.attributes)['zipkin.shared_span_id'], 'ecc00062ceef4bf0');
  const hystrix = spans.find((s) => s.name === 'hystrix')!;
  assert.equal(hystrix.kind, 1, 'no kind: INTERNAL');
  const store = new SpanStore();
  const r = importConverted(store, ascend);
  assert.equal(r.acceptedSpans, 8);
  assert.equal(store.trace(r.traceIds[0]!).length, 8, 'no span lost to a shared id');
  store.dispose();
  assert.equal(convertTraceFile(fixture('zipkin-messaging.json'), 'm.json').spans, spansOf(convertTraceFile(fixture('zipkin-messaging.json'), 'm.json')).length);
});

test('the Collector file exporter (JSON lines): spans stored, logs and metrics counted, a bad line named', () => {
  const text = fixture('otelcol-file-exporter.jsonl');
  const c = convertTraceFile(text, 'export.jsonl');
  assert.equal(c.format, 'otlp-json-lines');
  assert.equal(c.spans, 1);
  assert.equal(c.logRecords, 1);
  assert.ok(c.metricPoints > 0);
  const [s] = spansOf(c);
  assert.equal(s!.span.traceId, '5B8EFFF798038103D269B633813FC60C');
  const store = new SpanStore();
  assert.deepEqual(importConverted(store, c).traceIds, ['5b8efff798038103d269b633813fc60c']);
  store.dispose();

  const lines = text.trimEnd().split('\n');
  const broken = [lines[0], lines[1]!.slice(0, 50), lines[2]].join('\n');
  const e = fails(broken, 'export.jsonl');
  assert.equal(e.line, 2);
  assert.match(e.message, /^export\.jsonl:2: not valid JSON/);
  const badSpan = lines[0]!.replace('"endTimeUnixNano":"1544712661000000000"', '"endTimeUnixNano":"1"');
  const e2 = fails([lines[1], badSpan].join('\n'), 'x.jsonl');
  assert.equal(e2.line, 2);
  assert.match(e2.message, /resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\].*(ends before it starts|endTimeUnixNano)/);
});

test('Tempo v2 and Jaeger API v3 answers import as they are served (base64 ids, enum names)', () => {
  const tempo = convertTraceFile(fixture('tempo-v2-trace.json'), 'tempo.json');
  assert.equal(tempo.format, 'tempo-json');
  const store = new SpanStore();
  const r = importConverted(store, tempo);
  assert.deepEqual(r.traceIds, ['5b8efff798038103d269b633813fc700']);
  const [span] = store.trace(r.traceIds[0]!);
  assert.equal(span!.spanId, 'eee19b7ec3c1b100');
  assert.equal(span!.name, 'I am a span!');
  assert.equal(span!.attributes['my.span.attr'], 'some value');
  const vulture = convertTraceFile(fixture('tempo-vulture-trace.json'), 'vulture.json');
  assert.equal(vulture.format, 'otlp-json');
  assert.ok(vulture.spans > 5);
  const jaeger = convertTraceFile(fixture('jaeger-v3-GetTrace.json'), 'v3.json');
  assert.equal(jaeger.format, 'jaeger-api-v3');
  assert.deepEqual(importConverted(store, jaeger).traceIds, ['000000000000009600000000000000a0']);
  store.dispose();
});

test('bad files say what and where, and nothing of them is stored', () => {
  const store = new SpanStore();
  const tryImport = (text: string, file: string): ImportError => {
    let err: ImportError | undefined;
    try {
      importConverted(store, convertTraceFile(text, file));
    } catch (e) {
      err = e as ImportError;
    }
    assert.ok(err instanceof ImportError);
    return err;
  };
  let e = tryImport('{\n  "data": [\n    {"traceID": "01", "spans": [}\n  ]\n}', 'broken.json');
  assert.match(e.message, /^broken\.json: not valid JSON: unexpected "}\\n  ]\\n}" at line 3, column 33/);
  e = tryImport('{"resourceSpans": [', 'cut.json');
  assert.match(e.message, /the text ends too early at line 1, column 20/);
  e = tryImport('', 'empty.json');
  assert.match(e.message, /empty/);
  e = tryImport('{"hello": 1}', 'other.json');
  assert.match(e.message, /not a trace file this tool knows/);
  const jaeger = JSON.parse(fixture('jaeger-ui-otlp2jaeger-out.json')) as Obj;
  delete jaeger.data[0].spans[1].startTime;
  e = tryImport(JSON.stringify(jaeger), 'j.json');
  assert.equal(e.jsonPath, '$.data[0].spans[1].startTime');
  assert.match(e.message, /microseconds/);
  jaeger.data[0].spans[1].startTime = 1706678909209712;
  jaeger.data[0].spans[1].processID = 'p9';
  e = tryImport(JSON.stringify(jaeger), 'j.json');
  assert.match(e.message, /process "p9"/);
  const zipkin = JSON.parse(fixture('zipkin-skew.json')) as Obj[];
  zipkin[2]!.id = 'not-hex';
  e = tryImport(JSON.stringify(zipkin), 'z.json');
  assert.equal(e.jsonPath, '$[2].id');
  const otlp = JSON.parse(fixture('jaeger-ui-otlp2jaeger-in.json')) as Obj;
  otlp.resourceSpans[0].scopeSpans[0].spans[1].endTimeUnixNano = '5';
  e = tryImport(JSON.stringify(otlp), 'o.json');
  assert.match(e.message, /spans\[1\]/);
  assert.equal(store.stats().spans, 0, 'the first span of that file was valid, and is not stored either');
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  e = tryImport(deep, 'deep.json');
  assert.ok(e.message.length < 600);
  store.dispose();
});

test('sniffing the start of a file recognises each format and nothing else', () => {
  const cases: [string, string | undefined][] = [
    ['jaeger-ui_01.json', 'jaeger-json'],
    ['jaeger-ui-otlp2jaeger-out.json', 'jaeger-json'],
    ['jaeger-ui-otlp2jaeger-in.json', 'otlp-json'],
    ['jaeger-v3-GetTrace.json', 'jaeger-api-v3'],
    ['tempo-v2-trace.json', 'tempo-json'],
    ['zipkin-ascend.json', 'zipkin-json'],
    ['zipkin2-client.json', 'zipkin-json'],
    ['otelcol-file-exporter.jsonl', 'otlp-json-lines'],
  ];
  for (const [file, format] of cases) assert.equal(sniffTraceFile(fixture(file).slice(0, 4096)), format, file);
  assert.equal(sniffTraceFile('{"name": "my-package", "version": "1.0.0", "dependencies": {}}'), undefined);
  assert.equal(sniffTraceFile('{"compilerOptions": {"strict": true}}'), undefined);
});
