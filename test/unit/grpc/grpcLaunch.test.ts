import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeLaunchConfig } from '../../../src/views/launchConfig';
import { DEFAULT_SETTINGS, grpcPortOf, readSettings } from '../../../src/views/settings';

const ctx = { cliPath: '/c', extensionDist: '/d', endpoint: 'http://127.0.0.1:4318', grpcEndpoint: 'http://127.0.0.1:4317', sessionId: 's', instrumentation: true, defaultMaxPasses: 10 };

test('debug launches tell OTel programs the protocol and endpoint through the standard variables; plans keep OTLP/HTTP', () => {
  const env = (c: Record<string, unknown>): Record<string, string | null> => c.env as Record<string, string | null>;
  const grpc = env(nodeLaunchConfig({ program: '/ws/app.js', env: { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' } }, { ...ctx, protocol: 'grpc' }));
  assert.equal(grpc.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://127.0.0.1:4317');
  assert.equal(grpc.OTEL_EXPORTER_OTLP_PROTOCOL, 'grpc');
  assert.equal(grpc.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, null, 'an inherited per-signal protocol would win');
  const json = env(nodeLaunchConfig({ program: '/ws/app.js' }, { ...ctx, protocol: 'http/json' }));
  assert.equal(json.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://127.0.0.1:4318');
  assert.equal(json.OTEL_EXPORTER_OTLP_PROTOCOL, 'http/json');
  const plan = env(nodeLaunchConfig({ plan: '/ws/plans/p.ts' }, { ...ctx, protocol: 'grpc' }));
  assert.equal(plan.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://127.0.0.1:4318');
  assert.equal(plan.OTEL_EXPORTER_OTLP_PROTOCOL, 'http/protobuf', 'plans send protobuf, the runtime default');
  const noGrpc = env(nodeLaunchConfig({ program: '/ws/app.js' }, { ...ctx, protocol: 'grpc', grpcEndpoint: undefined }));
  assert.equal(noGrpc.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://127.0.0.1:4318', 'no receiver: HTTP rather than a dead gRPC address');
});

test('the gRPC receiver runs when the protocol is grpc or a port is set', () => {
  assert.equal(grpcPortOf(DEFAULT_SETTINGS), undefined);
  assert.equal(grpcPortOf(readSettings((k) => (k === 'collector.otlpProtocol' ? 'grpc' : undefined))), 0);
  assert.equal(grpcPortOf(readSettings((k) => (k === 'collector.grpcPort' ? 4317 : undefined))), 4317);
  assert.equal(readSettings((k) => (k === 'collector.otlpProtocol' ? 'carrier-pigeon' : undefined)).collector.otlpProtocol, 'http/protobuf');
});
