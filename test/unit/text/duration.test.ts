import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { formatDuration } from '../../../src/text/duration';

void test('durations: three significant digits in the unit that reads naturally', () => {
  assert.equal(formatDuration(0.25), '250 µs');
  assert.equal(formatDuration(0.0004), '0.4 µs');
  assert.equal(formatDuration(7.54), '7.54 ms');
  assert.equal(formatDuration(12.345), '12.3 ms');
  assert.equal(formatDuration(412.3), '412 ms');
  assert.equal(formatDuration(999.6), '1 s');
  assert.equal(formatDuration(0.9996), '1 ms');
  assert.equal(formatDuration(3000), '3 s');
  assert.equal(formatDuration(5230), '5.23 s');
  assert.equal(formatDuration(42_400), '42.4 s');
  assert.equal(formatDuration(125_000), '2 min 5 s');
  assert.equal(formatDuration(120_000), '2 min');
  assert.equal(formatDuration(59_960), '1 min');
  assert.equal(formatDuration(59_940), '59.9 s');
});

void test('durations: zero, differences and values that are not numbers', () => {
  assert.equal(formatDuration(0), '0 ms');
  assert.equal(formatDuration(-1500), '-1.5 s');
  assert.equal(formatDuration(-0.5), '-500 µs');
  assert.equal(formatDuration(Number.NaN), '–');
  assert.equal(formatDuration(Number.POSITIVE_INFINITY), '–');
});

void test('durations on an axis follow the tick step', () => {
  assert.equal(formatDuration(0, 200), '0');
  assert.equal(formatDuration(252, 2), '252 ms');
  assert.equal(formatDuration(1000, 200), '1 s');
  assert.equal(formatDuration(1.5, 0.5), '1.5 ms');
  assert.equal(formatDuration(0.25, 0.05), '250 µs');
  assert.equal(formatDuration(10_250, 10), '10.25 s');
});
