import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { barGeometry, niceStep, ticks, toUnit, zoomWindow } from '../../../src/timelineModel/timeScale';

void test('time maps to [0, 1] over the window', () => {
  const w = { startMs: 1000, endMs: 1200 };
  assert.equal(toUnit(1000, w), 0);
  assert.equal(toUnit(1200, w), 1);
  assert.equal(toUnit(1050, w), 0.25);
  assert.equal(toUnit(5, { startMs: 5, endMs: 5 }), 0);
});

void test('bars are clamped to the window; outside ones are invisible', () => {
  const w = { startMs: 100, endMs: 200 };
  assert.deepEqual(barGeometry(150, 175, w), { left: 0.5, width: 0.25, visible: true });
  assert.deepEqual(barGeometry(50, 150, w), { left: 0, width: 0.5, visible: true });
  assert.deepEqual(barGeometry(190, 400, w), { left: 0.9, width: 0.09999999999999998 + 0, visible: true });
  assert.equal(barGeometry(0, 50, w).visible, false);
  assert.equal(barGeometry(250, 300, w).visible, false);
});

void test('zoom window from a brush, in either direction, with a minimum width', () => {
  const w = { startMs: 0, endMs: 1000 };
  assert.deepEqual(zoomWindow(w, 0.6, 0.2), { startMs: 200, endMs: 600 });
  const z = zoomWindow(w, 0.5, 0.5, 10);
  assert.equal(z.endMs - z.startMs, 10);
});

void test('nice steps are 1, 2 or 5 × 10^k', () => {
  assert.equal(niceStep(1000, 10), 100);
  assert.equal(niceStep(1300, 10), 200);
  assert.equal(niceStep(4000, 10), 500);
  assert.equal(niceStep(0.9, 10), 0.1);
});

void test('ticks are relative to the trace start and cover the window', () => {
  const t = ticks({ startMs: 10_000, endMs: 11_000 }, 10_000, 5);
  assert.deepEqual(t.map((x) => x.label), ['0', '200 ms', '400 ms', '600 ms', '800 ms', '1 s']);
  assert.deepEqual(t.map((x) => Math.round(x.at * 100) / 100), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  const z = ticks({ startMs: 10_250, endMs: 10_260 }, 10_000, 5);
  assert.equal(z[0]!.label, '250 ms');
  assert.equal(z[1]!.label, '252 ms');
});
