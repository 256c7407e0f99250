import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeGrpcMessage, frameMessage, MessageReader, parseGrpcTimeout } from '../../../src/collector/grpc/grpcWire';

test('grpc-timeout: 1-8 digits and a unit, in ms; malformed is NaN, absent is undefined', () => {
  assert.equal(parseGrpcTimeout('10S'), 10_000);
  assert.equal(parseGrpcTimeout('2H'), 7_200_000);
  assert.equal(parseGrpcTimeout('3M'), 180_000);
  assert.equal(parseGrpcTimeout('250m'), 250);
  assert.equal(parseGrpcTimeout('99999999u'), 99_999.999);
  assert.equal(parseGrpcTimeout('1000000n'), 1);
  assert.equal(parseGrpcTimeout(undefined), undefined);
  for (const bad of ['', 'S', '10', '123456789S', '10s', '-1S', '1.5S', '10 S x']) assert.ok(Number.isNaN(parseGrpcTimeout(bad)), bad);
});

test('grpc-message: percent-encoded UTF-8 that decodes back to the text', () => {
  assert.equal(encodeGrpcMessage('plain text: ok'), 'plain text: ok');
  assert.equal(encodeGrpcMessage('100% done'), '100%25 done');
  assert.equal(encodeGrpcMessage('line\nbreak é ✓'), 'line%0Abreak %C3%A9 %E2%9C%93');
  const odd = 'span "x" ends before it starts; é\r\n\u0000';
  assert.equal(decodeURIComponent(encodeGrpcMessage(odd)), odd);
  assert.ok(encodeGrpcMessage('x'.repeat(10_000)).length < 1100, 'long messages are cut');
});

test('MessageReader: messages split anywhere across chunks come out whole; the prefix is seen before any byte is kept', () => {
  const a = Buffer.from('first message');
  const b = Buffer.alloc(40_000, 9);
  const wire = Buffer.concat([frameMessage(a), frameMessage(Buffer.alloc(0)), frameMessage(b)]);
  for (const size of [1, 2, 4, 5, 6, 7, 16_384, wire.length]) {
    const prefixes: [boolean, number, number][] = [];
    const got: Buffer[] = [];
    const r = new MessageReader(
      (c, len, i) => (prefixes.push([c, len, i]), 'read'),
      (m) => got.push(Buffer.from(m)),
    );
    for (let at = 0; at < wire.length; at += size) r.push(wire.subarray(at, at + size));
    assert.ok(r.atBoundary, `size ${size}`);
    assert.deepEqual(prefixes, [
      [false, a.length, 0],
      [false, 0, 1],
      [false, b.length, 2],
    ]);
    assert.deepEqual(got, [a, Buffer.alloc(0), b], `size ${size}`);
  }
  // Ended inside a prefix, or inside a message: not at a boundary.
  const cut = new MessageReader(() => 'read', () => {});
  cut.push(wire.subarray(0, 3));
  assert.equal(cut.atBoundary, false);
  cut.push(wire.subarray(3, 8));
  assert.equal(cut.atBoundary, false);
  // 'stop' at a prefix: nothing of that message is read or kept.
  let messages = 0;
  const stop = new MessageReader(() => 'stop', () => messages++);
  stop.push(wire);
  assert.equal(messages, 0);
});
