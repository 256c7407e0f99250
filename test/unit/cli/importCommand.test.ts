import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { withCollector } from '../collector/helpers';
import { IMPORT_FIXTURES } from '../imports/helpers';
import { runNode, type Ran } from '../nodeProcess';

const CLI = resolve('dist/cli.js');

function cli(args: string[]): Promise<Ran> {
  return runNode([CLI, ...args], { env: { OTEL_EXPORTER_OTLP_ENDPOINT: '', NO_COLOR: '1' } });
}

test('import: Jaeger, Zipkin and file-exporter files land in a running collector; a bad file is named and nothing of it stored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'if-import-'));
  try {
    const bad = join(dir, 'bad.json');
    const jaeger = JSON.parse(readFileSync(join(IMPORT_FIXTURES, 'jaeger-ui-otlp2jaeger-out.json'), 'utf8')) as { data: { spans: { duration: unknown }[] }[] };
    jaeger.data[0]!.spans[1]!.duration = 'long';
    writeFileSync(bad, JSON.stringify(jaeger));
    await withCollector({ decodeThreads: 0 }, async (c, endpoint) => {
      const files = ['jaeger-ui_01.json', 'zipkin-ascend.json', 'otelcol-file-exporter.jsonl'].map((f) => join(IMPORT_FIXTURES, f));
      const r = await cli(['import', ...files, bad, '--collector', endpoint]);
      assert.equal(r.code, 1, 'one file failed');
      assert.match(r.stdout, /✔ jaeger-ui_01\.json: imported 5 span\(s\) as Jaeger JSON; trace 00000000000000000000000000000001/);
      assert.match(r.stdout, /✔ zipkin-ascend\.json: imported 8 span\(s\) as Zipkin v2 JSON/);
      assert.match(r.stdout, /✔ otelcol-file-exporter\.jsonl: imported 1 span\(s\) as OTLP\/JSON lines .*1 log record\(s\) and \d+ metric point\(s\) not imported/);
      assert.match(r.stderr, /✘ .*bad\.json: \$\.data\[0\]\.spans\[1\]\.duration: must be a duration in microseconds/);
      c.store.flushChanges();
      assert.equal(c.store.run('83a9efd15c1c98a977e0711cc93ee28b'), undefined, 'nothing of the bad file');
      assert.equal(c.store.trace('0000000000000000ef86c83c0a05a6d6').length, 8);
      assert.equal(c.store.trace('5b8efff798038103d269b633813fc60c').length, 1);
    });
    const out = join(dir, 'out.json');
    const checked = await cli(['import', join(IMPORT_FIXTURES, 'zipkin2-client.json'), '--check', '--out', out, '--json']);
    assert.equal(checked.code, 0, checked.stderr);
    assert.deepEqual((JSON.parse(checked.stdout) as { ok: boolean; spans: number }[]).map((o) => [o.ok, o.spans]), [[true, 1]]);
    assert.ok((JSON.parse(readFileSync(out, 'utf8')) as { resourceSpans: unknown[] }).resourceSpans.length === 1);
    const none = await cli(['import', join(IMPORT_FIXTURES, 'zipkin2-client.json')]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no collector/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
