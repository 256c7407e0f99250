import * as vscode from 'vscode';
import * as path from 'node:path';
import { Collector, GrpcStartError } from '../collector';
import type { StoreChange } from '../protocol/collectorTypes';
import type { Settings } from '../views/settings';
import { collectorSettingsChanged, grpcPortOf } from '../views/settings';
import type { Config } from './config';

type Store = Collector['store'];

/**
 * The OTLP/HTTP collector inside the extension host. Started on first need (a run, a view that
 * shows runs, a plan file with durations to show), never on activation; stopped on dispose.
 */
export class CollectorHost implements vscode.Disposable {
  private collector: Collector | undefined;
  private starting: Promise<Collector> | undefined;
  private storeListener: { dispose(): void } | undefined;
  private endpointValue: string | undefined;
  private disposed = false;
  private longestDispatch = 0;
  private readonly changes = new vscode.EventEmitter<StoreChange>();
  private readonly state = new vscode.EventEmitter<void>();
  private readonly configListener: vscode.Disposable;
  /** Store events (already coalesced by the store). */
  readonly onDidChangeStore = this.changes.event;
  /** Started, stopped or restarted. */
  readonly onDidChangeState = this.state.event;

  constructor(
    private readonly config: Config,
    private readonly log: vscode.OutputChannel,
  ) {
    this.configListener = config.onDidChange(({ previous, settings }) => {
      if (!this.collector || !collectorSettingsChanged(previous, settings)) return;
      this.restart().catch((e: unknown) => {
        this.log.appendLine(`collector: ${String(e)}`);
        void vscode.window.showErrorMessage(`Instrument First: the collector did not restart with the new settings: ${String(e)}`);
      });
    });
  }

  get store(): Store | undefined {
    return this.collector?.store;
  }

  /** Log records and metric points of the running collector (the timeline's Activity list, log list and charts). */
  get signals(): Pick<Collector, 'logs' | 'metrics'> | undefined {
    return this.collector;
  }

  get endpoint(): string | undefined {
    return this.endpointValue;
  }

  /** `http://127.0.0.1:PORT` of the OTLP/gRPC receiver while it runs (setting collector.otlpProtocol grpc, or collector.grpcPort). */
  get grpcEndpoint(): string | undefined {
    const a = this.collector?.grpcAddress;
    return a ? `http://${a}` : undefined;
  }

  get running(): boolean {
    return this.collector !== undefined;
  }

  /** The running collector, started now if needed. */
  ensureStarted(): Promise<Collector> {
    if (this.collector) return Promise.resolve(this.collector);
    if (this.disposed) return Promise.reject(new Error('Instrument First is shutting down'));
    this.starting ??= this.start().finally(() => (this.starting = undefined));
    return this.starting;
  }

  /** Starts it in the background, for features that only show data when there is some. */
  warmUp(): void {
    if (!this.collector && !this.starting) this.ensureStarted().catch((e: unknown) => this.log.appendLine(`collector: ${String(e)}`));
  }

  private async start(): Promise<Collector> {
    const s = this.config.settings;
    let port = s.collector.port;
    let grpcPort = grpcPortOf(s);
    let collector: Collector;
    let started: { endpoint: string };
    // A port set in the settings may be taken (4317 often is, by a local Jaeger or OTel Collector):
    // each taken one is replaced by a free one, with a warning, rather than leaving no collector.
    for (;;) {
      collector = new Collector(collectorOptions(s, port, grpcPort, this.log));
      try {
        started = await collector.start();
        break;
      } catch (err) {
        await collector.stop().catch(() => undefined);
        // A failure that is not the gRPC receiver's is the HTTP port's.
        const grpcFailed = err instanceof GrpcStartError;
        if (grpcFailed ? !grpcPort : port === 0) throw err;
        void vscode.window.showWarningMessage(`Instrument First: ${grpcFailed ? 'OTLP/gRPC port' : 'port'} ${grpcFailed ? grpcPort : port} is not available (${String(err)}); the collector uses a free port instead.`);
        if (grpcFailed) grpcPort = 0;
        else port = 0;
      }
    }
    if (this.disposed) {
      await collector.stop();
      throw new Error('Instrument First is shutting down');
    }
    this.collector = collector;
    this.endpointValue = started.endpoint;
    this.storeListener = collector.store.onDidChange((e) => {
      const t0 = performance.now();
      this.changes.fire(e);
      const took = performance.now() - t0;
      if (took > this.longestDispatch) this.longestDispatch = took;
    });
    this.log.appendLine(`collector listening on ${started.endpoint} (OTLP/HTTP at ${started.endpoint}/v1/traces)${collector.grpcAddress ? `; OTLP/gRPC on ${collector.grpcAddress}` : ''}`);
    this.state.fire();
    this.changes.fire({ traceIds: [], runsChanged: true });
    return collector;
  }

  /**
   * The longest the extension's own work on spans held the event loop in one piece since the last
   * call, in ms: receiving (the collector's slices) and the store-change listeners (views, CodeLens).
   */
  takeLongestWorkMs(): { receiving: number; listeners: number } {
    const listeners = this.longestDispatch;
    this.longestDispatch = 0;
    return { receiving: this.collector?.takeLongestSliceMs() ?? 0, listeners };
  }

  async stop(): Promise<void> {
    const c = this.collector;
    this.collector = undefined;
    this.endpointValue = undefined;
    this.storeListener?.dispose();
    this.storeListener = undefined;
    if (c) {
      await c.stop();
      this.log.appendLine('collector stopped');
      if (!this.disposed) {
        this.state.fire();
        this.changes.fire({ traceIds: [], runsChanged: true });
      }
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.ensureStarted();
  }

  dispose(): void {
    this.disposed = true;
    this.configListener.dispose();
    const stopping = this.stop();
    stopping.catch((e: unknown) => this.log.appendLine(`collector stop: ${String(e)}`));
    this.changes.dispose();
    this.state.dispose();
  }
}

function collectorOptions(s: Settings, port: number, grpcPort: number | undefined, log: vscode.OutputChannel): ConstructorParameters<typeof Collector>[0] {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const folder = s.persistence.folder;
  const persistDir = !folder ? undefined : path.isAbsolute(folder) ? folder : root ? path.join(root, folder) : undefined;
  return {
    port,
    grpcPort,
    maxBytes: s.collector.maxMemoryMB * 1024 * 1024,
    // Not here: V8's heap growing factor is process-wide, and the extension host runs every other
    // extension too — their GC heuristics are not ours to change. The standalone collector sets it.
    limitHeapGrowth: false,
    idleMs: s.collector.idleSeconds * 1000,
    maxSpans: s.collector.maxSpans,
    maxTraces: s.collector.maxTraces,
    maxBodyBytes: s.collector.maxBodyBytes,
    // The extension host's thread runs every extension: every body (protobuf too) is decoded on a
    // worker, where the standalone collector decodes protobuf in place unless bodies queue up.
    decodeThreads: s.collector.decodeWorkers,
    protobufOnWorkers: true,
    // Views throttle their own refreshes; a short interval keeps "run finished → CodeLens" quick.
    changeIntervalMs: 20,
    onWarning: (message) => log.appendLine(`collector: ${message}`),
    // Evicted, refused or truncated spans: one line in the log the first time (the status bar counts them).
    onFirstLoss: (message) => log.appendLine(`collector: ${message}`),
    ...(persistDir
      ? {
          persistDir,
          retention: s.persistence.retention,
          retentionBytes: s.persistence.maxMegabytes * 1024 * 1024,
          retentionMs: s.persistence.maxAgeDays * 24 * 3600 * 1000,
        }
      : {}),
    ...(s.forwarding.endpoint ? { forward: { url: s.forwarding.endpoint, headers: s.forwarding.headers } } : {}),
  };
}
