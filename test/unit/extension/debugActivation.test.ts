import { test } from 'node:test';
import assert from 'node:assert/strict';
import { debugSessionActivationEvents, extensionsActivatedByDebugSession } from '../../../src/views/debugActivation';

// Activation events as the built-in extensions of code-server 4.100.3 (VS Code 1.100.3) declare them
// in their package.json (extensions/debug-server-ready, extensions/ms-vscode.js-debug, extensions/debug-auto-launch).
const installed = [
  { id: 'vscode.debug-server-ready', activationEvents: ['onDebugResolve'], isActive: false },
  { id: 'ms-vscode.js-debug', activationEvents: ['onDebugDynamicConfigurations', 'onDebugInitialConfigurations', 'onDebugResolve:pwa-node', 'onDebugResolve:node'], isActive: false },
  { id: 'vscode.debug-auto-launch', activationEvents: ['onStartupFinished'], isActive: true },
  { id: 'instrument-first.instrument-first', activationEvents: ['onDebugResolve:instrument-first'], isActive: true },
];

test('debug activation: a session of our type activates the generic onDebugResolve extension, not js-debug (its events name other types)', () => {
  assert.deepEqual(extensionsActivatedByDebugSession(installed, 'instrument-first'), ['vscode.debug-server-ready']);
});

test('debug activation: a type-specific event of our type, onDebug and the protocol tracker events count; active ones (ourselves among them) do not', () => {
  const others = [
    { id: 'a.typed', activationEvents: ['onDebugResolve:instrument-first'], isActive: false },
    { id: 'b.any', activationEvents: ['onDebug'], isActive: false },
    { id: 'c.tracker', activationEvents: ['onDebugAdapterProtocolTracker'], isActive: false },
    { id: 'd.trackerTyped', activationEvents: ['onDebugAdapterProtocolTracker:node'], isActive: false },
    { id: 'e.active', activationEvents: ['onDebugResolve'], isActive: true },
  ];
  assert.deepEqual(extensionsActivatedByDebugSession(others, 'instrument-first'), ['a.typed', 'b.any', 'c.tracker']);
  assert.deepEqual(debugSessionActivationEvents('x'), ['onDebug', 'onDebugResolve', 'onDebugResolve:x', 'onDebugAdapterProtocolTracker', 'onDebugAdapterProtocolTracker:x']);
});
