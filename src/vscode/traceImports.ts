import * as vscode from 'vscode';
import { convertTraceFile, describeConverted, FORMAT_NAMES, importConverted, ImportError, MAX_IMPORT_BYTES, sniffTraceFile, type ConvertedTraceFile } from '../collector/importers';
import type { CollectorHost } from './collectorHost';
import type { Config } from './config';
import type { TraceViewers } from './traceDocuments';

const TRACE_FILE = /\.(json|jsonl|ndjson)$/i;
const SNIFF_CHARS = 4096;

/**
 * Instrument First: Import Traces… — trace files of other tools into the local store; and, when
 * such a file is opened in an editor, an offer to import it (setting `imports.offerOnOpen`).
 */
export class TraceImports implements vscode.Disposable {
  /** Files already offered in this window: asked once each. */
  private readonly offered = new Set<string>();
  private readonly listener: vscode.Disposable;

  constructor(
    private readonly config: Config,
    private readonly collector: CollectorHost,
    private readonly viewers: TraceViewers,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.listener = vscode.workspace.onDidOpenTextDocument((doc) => void this.maybeOffer(doc));
  }

  /** Imports the given files (or asks for them); opens the first trace; returns the trace ids stored. */
  async importFiles(arg?: unknown, options: { open?: boolean } = {}): Promise<string[]> {
    let uris = Array.isArray(arg) ? arg.filter((u): u is vscode.Uri => u instanceof vscode.Uri) : arg instanceof vscode.Uri ? [arg] : [];
    if (uris.length === 0) {
      uris =
        (await vscode.window.showOpenDialog({
          canSelectMany: true,
          title: 'Import Traces',
          openLabel: 'Import',
          filters: { 'Trace files (OTLP, Collector file exporter, Jaeger, Tempo, Zipkin)': ['json', 'jsonl', 'ndjson'], 'All files': ['*'] },
        })) ?? [];
    }
    if (uris.length === 0) return [];
    const converted: ConvertedTraceFile[] = [];
    const failures: string[] = [];
    for (const uri of uris) {
      const name = vscode.workspace.asRelativePath(uri);
      try {
        const stat = await vscode.workspace.fs.stat(uri);
        if (stat.size > MAX_IMPORT_BYTES) throw new ImportError(`the file has ${stat.size} bytes; at most ${MAX_IMPORT_BYTES} are imported`, name, '');
        converted.push(convertTraceFile(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)), name));
      } catch (e) {
        failures.push(e instanceof ImportError ? e.message : `${name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const traceIds: string[] = [];
    let refused = 0;
    if (converted.length > 0) {
      const store = (await this.collector.ensureStarted()).store;
      for (const c of converted) {
        const r = importConverted(store, c);
        traceIds.push(...r.traceIds);
        refused += r.refusedSpans;
        this.log.info(`imported ${c.file}: ${describeConverted(c)}; traces ${r.traceIds.join(', ')}`);
      }
    }
    for (const f of failures) this.log.warn(`import refused: ${f}`);
    if (failures.length) void vscode.window.showErrorMessage(`Instrument First: nothing imported from ${failures.length === 1 ? 'this file' : `${failures.length} files`}: ${failures.join(' · ')}`);
    if (converted.length) {
      const spans = converted.reduce((n, c) => n + c.spans, 0);
      const skipped = converted.reduce((n, c) => n + c.logRecords + c.metricPoints, 0);
      void vscode.window.showInformationMessage(
        `Instrument First: imported ${spans - refused} span(s) in ${traceIds.length} trace(s) from ${converted.length} file(s)${refused ? `; ${refused} not kept: beyond the collector's memory budget (setting collector.maxMemoryMB)` : ''}${skipped ? ` (${skipped} log records and metric points not imported: only traces are stored)` : ''}.`,
      );
    }
    if (traceIds[0] && options.open !== false) await this.viewers.current.openTrace(traceIds[0]);
    return traceIds;
  }

  private async maybeOffer(doc: vscode.TextDocument): Promise<void> {
    if (!this.config.settings.imports.offerOnOpen || doc.uri.scheme !== 'file' || !TRACE_FILE.test(doc.uri.path)) return;
    const key = doc.uri.toString();
    if (this.offered.has(key)) return;
    const format = sniffTraceFile(doc.getText(new vscode.Range(0, 0, doc.positionAt(SNIFF_CHARS).line + 1, 0)).slice(0, SNIFF_CHARS));
    if (!format) return;
    this.offered.add(key);
    const choice = await vscode.window.showInformationMessage(`Instrument First: ${vscode.workspace.asRelativePath(doc.uri)} looks like ${FORMAT_NAMES[format]} traces. Import it?`, 'Import', "Don't Offer Again");
    if (choice === 'Import') await this.importFiles([doc.uri]);
    else if (choice === "Don't Offer Again") await this.config.update('imports.offerOnOpen', false);
  }

  dispose(): void {
    this.listener.dispose();
  }
}
