import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import type { SpanView } from '../../protocol/spanView';
import type { BatchCursor, RunDiff } from '../../protocol/collectorTypes';
import { parseWebviewToHost, type HostToWebview, type WebviewToHost } from '../../protocol/timelineMessages';
import { presentDiff } from '../../timelineModel/compareModel';
import { runTitle } from '../../views/runIdentity';
import type { CodeTarget } from '../../timelineModel/codeTarget';
import { makeNonce, timelineHtml } from '../../timelineModel/timelineHtml';
import type { TimelineHost } from './timelineHost';
import { RunSignalsSender } from './runSignalsSender';
import type { SignalWebviewToHost } from '../../protocol/signalMessages';

export const TIMELINE_VIEW_TYPE = 'instrumentFirst.timeline';

/** What the webview reported after drawing a run. */
export interface RenderReport {
  spans: number;
  rows: number;
  ms: number;
}

export type PanelContent = { view: 'run'; traceId: string; focusProcedureId?: string; focusSpanId?: string } | { view: 'compare'; a: string; b: string; /** Made elsewhere (a run against its baseline), not by the store. */ diff?: RunDiff };

const LIVE_THROTTLE_MS = 250;

/** Webview options: scripts on, resources only from the bundle and stylesheet folders. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    retainContextWhenHidden: false,
    enableFindWidget: true,
  };
}

/**
 * One timeline panel: a run's waterfall or a comparison. Sends validated messages, validates what
 * comes back, keeps a live run up to date from the store's change events.
 */
export class TimelinePanel implements vscode.Disposable {
  private content: PanelContent;
  private readonly registrations: vscode.Disposable[] = [];
  /** What the webview has of the run shown: the store sends only what comes after. */
  private cursor: BatchCursor | undefined;
  private liveTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  private readonly onDisposeListeners: (() => void)[] = [];
  private renderWaiters: ((r: RenderReport | undefined) => void)[] = [];
  /** The run's logs and metrics follow its spans in messages of their own. */
  private readonly signals: RunSignalsSender;
  /** What the webview last said it shows of logs and metrics (host tests read it). */
  lastSignalsReport: SignalWebviewToHost | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    content: PanelContent,
    private readonly host: TimelineHost,
  ) {
    this.content = content;
    this.signals = new RunSignalsSender(() => host.signals?.(), () => host.store(), (m) => this.post(m), (m) => host.log(m));
    const webview = panel.webview;
    // Also for panels restored by the serializer, which come with the options they were saved with.
    webview.options = webviewOptions(host.extensionUri);
    webview.html = timelineHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(host.extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(host.extensionUri, 'media', 'timeline.css')).toString(),
      nonce: makeNonce((n) => randomBytes(n)),
      title: 'Timeline',
    });
    this.registrations.push(
      webview.onDidReceiveMessage((m: unknown) => {
        const msg = parseWebviewToHost(m);
        if (!msg) return this.host.log('timeline: ignored a malformed message from the webview');
        this.handle(msg).catch((e: unknown) => this.host.log(`timeline: ${String(e)}`));
      }),
      host.onDidChangeStore((e) => {
        const c = this.content;
        if (c.view === 'run' && e.traceIds.some((id) => id.toLowerCase() === c.traceId.toLowerCase())) this.scheduleLive();
        // A deleted (or evicted) run: the panel says so instead of showing what is gone.
        else if (e.runsChanged) void this.host.store().then((store) => {
          const gone = c.view === 'run' ? !store?.run(c.traceId) : !store?.run(c.a) || !store?.run(c.b);
          if (gone && c === this.content) return this.sendContent();
          return undefined;
        });
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get current(): PanelContent {
    return this.content;
  }

  onDidDispose(f: () => void): void {
    this.onDisposeListeners.push(f);
  }

  /** Shows other content; the webview asks for it with `ready` after a reload, so send now too. */
  async show(content: PanelContent, reveal = true): Promise<void> {
    this.content = content;
    if (reveal) this.panel.reveal(undefined, false);
    await this.sendContent();
  }

  /** Resolves when the webview next reports a drawn run (undefined after `timeoutMs`). */
  whenRendered(timeoutMs: number): Promise<RenderReport | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(undefined), timeoutMs);
      const done = (r: RenderReport | undefined) => {
        clearTimeout(timer);
        this.renderWaiters = this.renderWaiters.filter((w) => w !== done);
        resolve(r);
      };
      this.renderWaiters.push(done);
    });
  }

  /** Handles one validated message from the webview (the Go to code command reuses it). */
  async handle(msg: WebviewToHost): Promise<void> {
    switch (msg.type) {
      case 'ready':
        await this.sendContent();
        break;
      case 'openCode': {
        const { chain, target } = await openSpanCode(this.host, msg.traceId, msg.spanId);
        await this.post({
          type: 'codeResult',
          spanId: msg.spanId,
          ok: target !== undefined,
          ...(target ? {} : { message: chain.length ? 'No code found for this span: no procedure index entry and no code.filepath.' : 'This span is no longer in the store.' }),
        });
        break;
      }
      case 'copy':
        await this.host.copy(msg.text);
        break;
      case 'openRun':
        await this.host.openRun(msg.traceId);
        break;
      case 'openLink': {
        const store = await this.host.store();
        if (store?.run(msg.traceId)) await this.host.openRun(msg.traceId, msg.spanId);
        else await this.post({ type: 'notice', text: `The linked trace ${msg.traceId} is not in the collector.` });
        break;
      }
      case 'spanDetails': {
        const store = await this.host.store();
        const span = store?.spanBatch(msg.traceId, msg.spanId);
        await this.post(
          span
            ? { type: 'spanDetails', traceId: msg.traceId, spanId: msg.spanId, span }
            : { type: 'spanDetails', traceId: msg.traceId, spanId: msg.spanId, message: store?.run(msg.traceId) ? 'This span is no longer in the collector.' : 'This run is no longer in the collector (evicted or deleted): its attributes, events and links cannot be shown.' },
        );
        break;
      }
      case 'matchAttributes': {
        const store = await this.host.store();
        // Live: the page asks again after each update, with the cursor of the last answer; only the
        // spans added since are searched (a run of 100k spans is not searched whole 4 times a second).
        const found = store?.matchSpans(msg.traceId, msg.tokens, msg.since);
        const { traceId, query, seq } = msg;
        await this.post(
          found
            ? { type: 'attributeMatches', traceId, query, seq, spanIds: found.spanIds, full: found.full, cursor: found.cursor }
            : { type: 'attributeMatches', traceId, query, seq, spanIds: [], full: true },
        );
        break;
      }
      case 'rendered':
        this.host.log(`timeline: rendered ${msg.spans} spans (${msg.rows} rows) in ${msg.ms.toFixed(0)} ms`);
        for (const w of [...this.renderWaiters]) w({ spans: msg.spans, rows: msg.rows, ms: msg.ms });
        break;
      case 'log':
        this.host.log(`timeline webview: ${msg.message}`);
        break;
      case 'signalsRendered':
        this.lastSignalsReport = msg;
        break;
    }
  }

  private async post(m: HostToWebview): Promise<void> {
    if (!this.disposed) await this.panel.webview.postMessage(m);
  }

  private async sendContent(): Promise<void> {
    await this.sendSpans();
    const c = this.content;
    await this.signals.show(c.view === 'run' ? c.traceId : undefined);
  }

  private async sendSpans(): Promise<void> {
    const store = await this.host.store();
    const c = this.content;
    if (c.view === 'compare') {
      const diff = c.diff ?? store?.diff(c.a, c.b);
      this.panel.title = diff ? `Compare: ${runTitle(diff.b)}` : 'Compare runs';
      if (!diff) return this.post({ type: 'runGone', traceId: c.b, message: 'One of the two runs is no longer in the collector (evicted, deleted, or from another session).' });
      return this.post({ type: 'showCompare', compare: presentDiff(diff) });
    }
    const run = store?.run(c.traceId);
    // A summary: the spans' other attributes come one span at a time (spanDetails, matchAttributes).
    const all = run ? store?.batchSince(c.traceId, undefined, { summary: true }) : undefined;
    if (!run || !all || all.batch.parent.length === 0) {
      this.panel.title = 'Timeline';
      return this.post({ type: 'runGone', traceId: c.traceId, message: `Run ${c.traceId} is not in the collector (evicted, deleted, or from another session).` });
    }
    this.panel.title = `Timeline: ${runTitle(run)}${run.runKind === 'debug' ? ' (debug)' : ''}`;
    this.cursor = all.cursor;
    const resource = store?.resourceOf?.(c.traceId);
    await this.post({
      type: 'showRun',
      traceId: c.traceId,
      title: `${runTitle(run)} · ${run.runKind === 'debug' ? 'debug · ' : ''}${run.status}`,
      spans: all.batch,
      live: run.status === 'running',
      ...(resource ? { resource } : {}),
      ...(c.focusProcedureId ? { focusProcedureId: c.focusProcedureId } : {}),
      workspaceRoots: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
      ...(c.focusSpanId ? { focusSpanId: c.focusSpanId } : {}),
    });
  }

  private scheduleLive(): void {
    if (this.liveTimer) return;
    this.liveTimer = setTimeout(() => {
      this.liveTimer = undefined;
      this.sendLive().catch((e: unknown) => this.host.log(`timeline: ${String(e)}`));
    }, LIVE_THROTTLE_MS);
  }

  /** Sends the spans that arrived since the last message (a running plan's progress). */
  private async sendLive(): Promise<void> {
    if (this.content.view !== 'run' || !this.panel.visible) return;
    const traceId = this.content.traceId;
    const store = await this.host.store();
    const run = store?.run(traceId);
    if (!store || !run) return this.sendContent();
    // Only what the webview does not have yet; everything when spans were replaced.
    const since = store.batchSince(traceId, this.cursor, { summary: true });
    if (!since) return this.sendContent();
    this.cursor = since.cursor;
    if (since.batch.parent.length === 0 && run.status === 'running') return;
    await this.post({ type: 'updateRun', traceId, spans: since.batch, live: run.status === 'running', ...(since.full ? { replace: true } : {}) });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.liveTimer);
    this.signals.dispose();
    for (const r of this.registrations) r.dispose();
    this.panel.dispose();
    for (const f of this.onDisposeListeners) f();
  }
}

/** Finds a span and its ancestors in the store and reveals their code. */
export async function openSpanCode(host: TimelineHost, traceId: string, spanId: string): Promise<{ chain: SpanView[]; target: CodeTarget | undefined }> {
  const store = await host.store();
  const chain = store?.spanChain(traceId, spanId) ?? [];
  return { chain, target: chain.length ? await host.revealCode(chain) : undefined };
}
