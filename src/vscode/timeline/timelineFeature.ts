import * as vscode from 'vscode';
import { BASELINE_PSEUDO_TRACE_ID } from '../../baseline/baselineDiff';
import { baselineDiffOfRun } from '../testing/baselineCompare';
import type { RunDiff, RunSummary } from '../../protocol/collectorTypes';
import { clockTime, runLabel } from '../../views/format';
import { runTitle, sameRunKey } from '../../views/runIdentity';
import { setAttribute, type AttrValue } from '../../protocol/spanView';
import { parseTimelineState } from '../../protocol/timelineMessages';
import type { TraceViewer } from '../traceDocuments';
import type { Services } from '../services';
import { revealSpanCode } from './codeReveal';
import type { TimelineHost, TimelineStore } from './timelineHost';
import { openSpanCode, TIMELINE_VIEW_TYPE, TimelinePanel, webviewOptions, type PanelContent, type RenderReport } from './timelinePanel';
import type { CodeTarget } from '../../timelineModel/codeTarget';

/**
 * The timeline feature: the waterfall panel as the extension's trace viewer (Open Trace, Compare
 * with Previous go here), a serializer that restores panels after a reload, and its commands.
 * Plugged into the feature list with one line: `(s) => new TimelineFeature(s)`.
 */
export class TimelineFeature implements TraceViewer, vscode.Disposable {
  private runPanel: TimelinePanel | undefined;
  private comparePanel: TimelinePanel | undefined;
  private readonly registrations: vscode.Disposable[];
  private readonly host: TimelineHost;
  private lastTarget: CodeTarget | undefined;

  constructor(private readonly s: Services) {
    this.host = {
      extensionUri: s.extensionUri,
      store: async () => {
        await s.collector.ensureStarted();
        const store = s.collector.store;
        if (!store) return undefined;
        const withResource: TimelineStore = {
          spanChain: (id, spanId) => store.spanChain(id, spanId),
          batchSince: (id, since, options) => store.batchSince(id, since, options),
          spanBatch: (id, spanId) => store.spanBatch(id, spanId),
          matchSpans: (id, tokens, since) => store.matchSpans(id, tokens, since),
          run: (id) => store.run(id),
          runs: () => store.runs(),
          diff: (a, b) => s.data.diff(a, b),
          resourceOf: (id) => {
            // The first span's origin, without listing the trace's spans.
            const entry = store.entry(id);
            const origin = entry && entry.size > 0 ? entry.span(0).origin : undefined;
            if (!origin) return undefined;
            const r: Record<string, AttrValue> = {};
            origin.resourceKeys.forEach((k, i) => setAttribute(r, k, origin.resourceValues[i]!));
            if (origin.scopeName) r['otel.scope.name'] = origin.scopeName;
            return r;
          },
        };
        return withResource;
      },
      onDidChangeStore: s.collector.onDidChangeStore,
      revealCode: async (chain) => (this.lastTarget = await revealSpanCode(chain, () => s.catalog.locations())),
      copy: (text) => Promise.resolve(vscode.env.clipboard.writeText(text)),
      log: (m) => s.log.appendLine(m),
      openRun: (traceId, focusSpanId) => this.openTrace(traceId, undefined, focusSpanId),
      signals: () => s.collector.signals,
    };
    this.registrations = [
      s.viewers.setViewer(this),
      vscode.window.registerWebviewPanelSerializer(TIMELINE_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state) => this.restorePanel(panel, state),
      }),
      s.slots.fillTimeline({
        openLastRun: (traceId) => this.openLastRun(traceId),
        compareRuns: (a, b) => this.compareRuns(a, b),
        goToSpanCode: (traceId, spanId) => this.goToSpanCode(traceId, spanId),
      }),
    ];
  }

  /** The open run panel (host tests drive its message handler). */
  get currentRunPanel(): TimelinePanel | undefined {
    return this.runPanel;
  }

  get currentComparePanel(): TimelinePanel | undefined {
    return this.comparePanel;
  }

  async openTrace(traceId: string, focusProcedureId?: string, focusSpanId?: string): Promise<void> {
    await this.showIn('run', { view: 'run', traceId, ...(focusProcedureId ? { focusProcedureId } : {}), ...(focusSpanId ? { focusSpanId } : {}) });
  }

  async compare(a: string, b: string): Promise<void> {
    await this.showIn('compare', { view: 'compare', a, b });
  }

  async showDiff(diff: RunDiff): Promise<void> {
    await this.showIn('compare', { view: 'compare', a: diff.a.traceId, b: diff.b.traceId, diff });
  }

  private async showIn(kind: 'run' | 'compare', content: PanelContent): Promise<void> {
    const existing = kind === 'run' ? this.runPanel : this.comparePanel;
    if (existing) return existing.show(content);
    const panel = vscode.window.createWebviewPanel(
      TIMELINE_VIEW_TYPE,
      kind === 'run' ? 'Timeline' : 'Compare runs',
      { viewColumn: this.panelColumn(), preserveFocus: false },
      webviewOptions(this.s.extensionUri),
    );
    this.adopt(panel, content);
  }

  /**
   * Timelines and compares share one editor column: the other panel's when it is open (never a
   * third column), else beside the code (or the active column, by setting).
   */
  private panelColumn(): vscode.ViewColumn {
    const other = this.runPanel ?? this.comparePanel;
    if (other?.panel.viewColumn !== undefined) return other.panel.viewColumn;
    if (this.s.config.settings.timeline.openIn === 'active') return vscode.ViewColumn.Active;
    // Beside the code: the column right of the first one holding a text editor (focus may be in a view).
    const code = vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'file')?.viewColumn ?? vscode.window.activeTextEditor?.viewColumn;
    return code === undefined ? vscode.ViewColumn.Active : ((code + 1) as vscode.ViewColumn);
  }

  private adopt(panel: vscode.WebviewPanel, content: PanelContent): TimelinePanel {
    const p = new TimelinePanel(panel, content, this.host);
    if (content.view === 'run') {
      this.runPanel?.dispose();
      this.runPanel = p;
      p.onDidDispose(() => this.runPanel === p && (this.runPanel = undefined));
    } else {
      this.comparePanel?.dispose();
      this.comparePanel = p;
      p.onDidDispose(() => this.comparePanel === p && (this.comparePanel = undefined));
    }
    return p;
  }

  /**
   * A panel that was open before a reload (the serializer's path; host tests call it with a panel
   * and the state the page saved): its webview state says what it showed. A compare against a
   * baseline is no pair of stored runs: it is made again from its inputs, the run (B) and the
   * baseline file of its plan and export.
   */
  async restorePanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const st = parseTimelineState(state);
    if (!st) {
      panel.dispose();
      return;
    }
    // The page reloads and asks with `ready`; its own getState() brings back collapse, filter, zoom.
    if (st.view === 'run') {
      this.adopt(panel, { view: 'run', traceId: st.traceId });
      return;
    }
    if (st.a === BASELINE_PSEUDO_TRACE_ID) {
      await this.s.collector.ensureStarted().catch(() => undefined);
      const diff = baselineDiffOfRun(this.s, st.b);
      if (diff) {
        this.adopt(panel, { view: 'compare', a: st.a, b: st.b, diff });
        return;
      }
    }
    this.adopt(panel, { view: 'compare', a: st.a, b: st.b });
  }

  /**
   * Opens the newest finished run (or the given one) and resolves once the webview has drawn it
   * (or after 15 s), with what it reported.
   */
  private async openLastRun(arg: unknown): Promise<{ traceId: string; rendered?: RenderReport } | undefined> {
    const store = await this.host.store();
    const traceId = typeof arg === 'string' ? arg : (store?.runs().find((r) => r.status !== 'running')?.traceId ?? store?.runs()[0]?.traceId);
    if (!traceId) {
      void vscode.window.showInformationMessage('Instrument First: no runs yet.');
      return undefined;
    }
    const existing = this.runPanel;
    const rendered = existing?.whenRendered(15_000);
    await this.openTrace(traceId);
    const report = await (rendered ?? this.runPanel?.whenRendered(15_000));
    return report ? { traceId, rendered: report } : { traceId };
  }

  /** Through the open panel's message handler when it shows that trace, as a click would. */
  private async goToSpanCode(traceId: unknown, spanId: unknown): Promise<CodeTarget | undefined> {
    if (typeof traceId !== 'string' || typeof spanId !== 'string') return undefined;
    const panel = this.runPanel;
    if (!panel || panel.current.view !== 'run' || panel.current.traceId !== traceId) return (await openSpanCode(this.host, traceId, spanId)).target;
    this.lastTarget = undefined;
    await panel.handle({ type: 'openCode', traceId, spanId });
    return this.lastTarget;
  }

  /** Compare Runs…: two runs given, or picked (B first, then A among runs of the same plan first). */
  private async compareRuns(a: unknown, b: unknown): Promise<[string, string] | undefined> {
    if (typeof a === 'string' && typeof b === 'string') {
      await this.compare(a, b);
      return [a, b];
    }
    const runs = (await this.host.store())?.runs().filter((r) => r.status !== 'running') ?? [];
    if (runs.length < 2) {
      void vscode.window.showInformationMessage('Instrument First: compare needs at least two finished runs.');
      return undefined;
    }
    const item = (r: RunSummary) => {
      const { label, description } = runLabel(r);
      return { label, description: `${clockTime(r.startMs)} · ${description}`, detail: r.traceId, run: r };
    };
    const pickB = await vscode.window.showQuickPick(runs.map(item), {
      title: 'Compare Runs (1/2): the run to look at (B)',
      placeHolder: 'Choose the run to look at: plan · export, start time, outcome',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!pickB) return undefined;
    // Runs of the same plan file and export first: those are the comparable ones.
    const rest = runs.filter((r) => r.traceId !== pickB.run.traceId).sort((x, y) => Number(sameRunKey(y, pickB.run)) - Number(sameRunKey(x, pickB.run)));
    const pickA = await vscode.window.showQuickPick(rest.map(item), {
      title: `Compare Runs (2/2): compare ${runTitle(pickB.run)} with (A)`,
      placeHolder: 'Choose the run to compare with (runs of the same plan and export first)',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!pickA) return undefined;
    await this.compare(pickA.run.traceId, pickB.run.traceId);
    return [pickA.run.traceId, pickB.run.traceId];
  }

  dispose(): void {
    this.runPanel?.dispose();
    this.comparePanel?.dispose();
    for (const r of this.registrations) r.dispose();
  }
}
