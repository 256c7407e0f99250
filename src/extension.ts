import { InstrumentFirst, isTestRun, type ExtensionContext } from './vscode/instrumentFirst';
import { Metrics } from './vscode/metrics';
import type { Services } from './vscode/services';

/**
 * Builds the one owning object; VS Code disposes it (and everything it owns) on deactivation.
 * Returns nothing to other extensions: the services are handed only to the host tests.
 */
export function activate(context: ExtensionContext): Services | undefined {
  const started = performance.now();
  const metrics = new Metrics();
  const ext = new InstrumentFirst(context, metrics);
  context.subscriptions.push(ext);
  metrics.activationMs = performance.now() - started;
  const slowest = [...metrics.activationParts].sort((a, b) => b[1] - a[1]).slice(0, 3);
  ext.services.log.info(`activated in ${metrics.activationMs.toFixed(1)} ms (slowest: ${slowest.map(([n, ms]) => `${n} ${ms.toFixed(1)} ms`).join(', ')})`);
  return isTestRun(context) ? ext.services : undefined;
}

export function deactivate(): void {}
