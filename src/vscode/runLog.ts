import type * as vscode from 'vscode';
import { runOutcomeText } from '../views/format';
import type { RunData } from './runData';

/** Logs every finished run with its trace id to the output channel (where trace ids are links). */
export class RunLog implements vscode.Disposable {
  private readonly logged = new Set<string>();
  private readonly listener: vscode.Disposable;

  constructor(data: RunData, log: vscode.LogOutputChannel) {
    this.listener = data.onDidChange((e) => {
      if (!e.runsSettled) return;
      for (const r of data.runs().slice(0, 20).reverse()) {
        if (r.status === 'running' || this.logged.has(r.traceId)) continue;
        this.logged.add(r.traceId);
        const line = `run ${r.plan}: ${runOutcomeText(r)} · ${r.spanCount} spans · trace ${r.traceId}`;
        if (r.status === 'converged') log.info(line);
        else log.warn(line);
      }
    });
  }

  dispose(): void {
    this.listener.dispose();
  }
}
