// Which extensions VS Code activates when a debug session of a given type starts, whatever the
// type: it fires `onDebug` and `onDebugResolve` (and `onDebugResolve:<type>`) before it asks the
// configuration providers, and `onDebugAdapterProtocolTracker` (and `…:<type>`) before it creates
// the adapter (VS Code 1.100, debugService.ts / debugConfigurationManager.ts / debugger.ts).

/** An installed extension as the activation list needs it: its id and `activationEvents`. */
export interface ExtensionActivation {
  id: string;
  activationEvents: readonly string[];
  isActive: boolean;
}

/** The activation events a debug session of `debugType` fires, in the order VS Code fires them. */
export function debugSessionActivationEvents(debugType: string): string[] {
  return ['onDebug', 'onDebugResolve', `onDebugResolve:${debugType}`, 'onDebugAdapterProtocolTracker', `onDebugAdapterProtocolTracker:${debugType}`];
}

/**
 * The extensions, other than those already active (this one among them), that the first debug session of
 * `debugType` in a window activates (on a stock code-server 1.100: `vscode.debug-server-ready`, on
 * `onDebugResolve`). Activating them ahead changes nothing for later sessions: the first one
 * activates them anyway.
 */
export function extensionsActivatedByDebugSession(extensions: readonly ExtensionActivation[], debugType: string): string[] {
  const events = new Set(debugSessionActivationEvents(debugType));
  return extensions
    .filter((e) => !e.isActive && e.activationEvents.some((ev) => events.has(ev)))
    .map((e) => e.id);
}
