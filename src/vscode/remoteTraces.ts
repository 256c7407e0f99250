import * as vscode from 'vscode';
import { BackendError, fetchFromBackends, KIND_NAMES, storeFetchedTrace, type BackendConfig, type RemoteOrigin } from '../collector/backends';
import type { CollectorHost } from './collectorHost';
import type { Config } from './config';

const TOKEN_KEY = 'instrumentFirst.backendToken.';
/** Origins remembered at most (the store evicts traces; this is only what the UI tells about them). */
const MAX_ORIGINS = 1000;

/**
 * Traces pulled by id from the team's backends (setting `instrumentFirst.backends`), tokens in
 * VS Code's secret storage. A fetched trace goes into the local store, marked with its origin
 * (span attribute `instrument_first.remote.origin`, and {@link originOf}).
 */
export class RemoteTraces implements vscode.Disposable {
  private readonly origins = new Map<string, RemoteOrigin>();
  private reportedProblems = '';
  private readonly listener: vscode.Disposable;

  constructor(
    private readonly config: Config,
    private readonly collector: CollectorHost,
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.listener = config.onDidChange(() => this.reportProblems());
  }

  get backends(): readonly BackendConfig[] {
    return this.config.settings.backends;
  }

  /** Where a remote trace came from (undefined for local ones). */
  originOf(traceId: string): RemoteOrigin | undefined {
    return this.origins.get(traceId);
  }

  /**
   * Asks the backends for the trace and stores it; returns the id stored under, or undefined
   * (the user was told why). Cancellable from its progress notification.
   */
  async fetchInto(traceId: string): Promise<string | undefined> {
    this.reportProblems();
    const backends = this.backends;
    if (backends.length === 0) return undefined;
    const names = backends.map((b) => `${KIND_NAMES[b.kind]} "${b.name}"`).join(', ');
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Instrument First: fetching trace ${traceId.replace(/^0{16}/, '')} from ${names}`, cancellable: true },
        async (_progress, cancel) => {
          const abort = new AbortController();
          const sub = cancel.onCancellationRequested(() => abort.abort());
          try {
            const fetched = await fetchFromBackends(backends, traceId, (b) => this.secrets.get(TOKEN_KEY + b.name), abort.signal);
            const answered = performance.now();
            const store = (await this.collector.ensureStarted()).store;
            const stored = storeFetchedTrace(store, fetched);
            const id = stored.traceIds.includes(traceId) ? traceId : stored.traceIds[0];
            if (!id) throw new BackendError('malformed', fetched.backend, `${fetched.backend} answered a trace without spans`);
            this.remember(id, { backend: fetched.backend, url: fetched.url, fetchedMs: Date.now() });
            if (fetched.warning) void vscode.window.showWarningMessage(`Instrument First: ${fetched.warning}`);
            this.log.info(`fetched trace ${id} (${stored.acceptedSpans} spans) from ${fetched.backend} in ${Math.round(fetched.elapsedMs)} ms, stored in ${Math.round(performance.now() - answered)} ms`);
            return id;
          } finally {
            sub.dispose();
          }
        },
      );
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.log.warn(`fetching trace ${traceId}: ${message}`);
      const unauthorized = e instanceof BackendError && e.kind === 'unauthorized';
      // Not awaited: the command returns while the message waits for the user.
      void vscode.window.showWarningMessage(`Instrument First: ${message}`, ...(unauthorized ? ['Set Backend Token…'] : []), 'Open Settings').then((choice) => {
        if (choice === 'Set Backend Token…') void this.setToken();
        else if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'instrumentFirst.backends');
      });
      return undefined;
    }
  }

  /** Asks for a backend and its token; an empty token removes the stored one. */
  async setToken(backendName?: string, token?: string): Promise<boolean> {
    const backends = this.backends;
    if (backends.length === 0) {
      void vscode.window.showInformationMessage('Instrument First: no backends configured (setting instrumentFirst.backends).');
      return false;
    }
    let name = backendName;
    if (!name) {
      const pick = backends.length === 1 ? { label: backends[0]!.name } : await vscode.window.showQuickPick(backends.map((b) => ({ label: b.name, description: `${KIND_NAMES[b.kind]} ${b.url}` })), { title: 'Set Backend Token' });
      name = pick?.label;
    }
    if (!name || !backends.some((b) => b.name === name)) return false;
    const value = token ?? (await vscode.window.showInputBox({ title: `Token for ${name}`, prompt: 'Sent as "Authorization: Bearer <token>" unless the backend\'s headers set Authorization. Empty removes it.', password: true, ignoreFocusOut: true }));
    if (value === undefined) return false;
    if (value.trim()) await this.secrets.store(TOKEN_KEY + name, value.trim());
    else await this.secrets.delete(TOKEN_KEY + name);
    return true;
  }

  private remember(traceId: string, origin: RemoteOrigin): void {
    this.origins.delete(traceId);
    this.origins.set(traceId, origin);
    if (this.origins.size > MAX_ORIGINS) this.origins.delete(this.origins.keys().next().value!);
  }

  private reportProblems(): void {
    const problems = this.config.settings.backendProblems.join('; ');
    if (problems && problems !== this.reportedProblems) void vscode.window.showWarningMessage(`Instrument First: ${problems}`);
    this.reportedProblems = problems;
  }

  dispose(): void {
    this.listener.dispose();
  }
}
