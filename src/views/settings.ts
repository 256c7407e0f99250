import { readBackendConfig, type BackendConfig } from '../collector/backends/backendConfig';
import { DEFAULT_LOG_RECORDS, LOG_RECORDS_MODES, type LogRecordsMode } from '../protocol/envVars';

/**
 * The extension's settings as one typed object, read through a getter so this stays pure: the
 * VS Code side passes `workspace.getConfiguration('instrumentFirst').get`. Bad values fall back
 * to the defaults (a typo in settings.json must not break the extension).
 */

export type InlineMode = 'codelens' | 'decorations' | 'both' | 'off';
export type TimelineColumn = 'beside' | 'active';

export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';
export const OTLP_PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];

export interface Settings {
  collector: {
    port: number;
    /** Memory budget of the stored traces, in MiB (measured on the stored spans). */
    maxMemoryMB: number;
    /** A trace without its root counts as finished after this many seconds without spans. */
    idleSeconds: number;
    maxSpans: number;
    maxTraces: number;
    maxBodyBytes: number;
    /** Worker threads decoding OTLP bodies off the extension host's thread (0: on it). */
    decodeWorkers: number;
    /**
     * What debug launches of OTel programs are told to send (OTEL_EXPORTER_OTLP_PROTOCOL); `grpc`
     * also starts the OTLP/gRPC receiver. Plans (our runtime) always send OTLP/HTTP.
     */
    otlpProtocol: OtlpProtocol;
    /** Port of the OTLP/gRPC receiver (0: a free one); it runs when otlpProtocol is grpc or this is set above 0. */
    grpcPort: number;
  };
  persistence: { folder: string; retention: number; maxMegabytes: number; maxAgeDays: number };
  forwarding: { endpoint: string; headers: Record<string, string> };
  inline: {
    mode: InlineMode;
    statsRuns: number;
    /** Count debugged runs in p50/p95 and last-run figures (their durations include pauses). */
    includeDebugRuns: boolean;
  };
  /** Which files are offered as plans (Run Plan…, CodeLens): globs relative to the workspace. */
  plans: { include: string; exclude: string[] };
  /** Where timelines and compares open: one column beside the editor, or the active one. */
  timeline: { openIn: TimelineColumn };
  instrumentation: { enabled: boolean };
  /** `logRecords`: where `ctx.log` lines of launched plans go (INSTRUMENT_FIRST_LOG_RECORDS). */
  run: { maxPasses: number; logRecords: LogRecordsMode };
  /** Team backends that Open Trace by ID asks (in order) when the local store lacks a trace. */
  backends: BackendConfig[];
  /** Entries of `instrumentFirst.backends` that could not be used, with why (shown once). */
  backendProblems: string[];
  /** Offer to import a JSON/JSONL file that looks like traces when it is opened. */
  imports: { offerOnOpen: boolean };
}

export const DEFAULT_SETTINGS: Settings = {
  // 256 MiB: the extension host's heap is shared by every extension of the window. maxTraces and
  // maxBodyBytes are the collector's own defaults (src/collector): one set, checked against package.json.
  collector: { port: 0, maxMemoryMB: 256, idleSeconds: 5, maxSpans: 500_000, maxTraces: 2_000, maxBodyBytes: 16 * 1024 * 1024, decodeWorkers: 1, otlpProtocol: 'http/protobuf', grpcPort: 0 },
  persistence: { folder: '.instrument-first/runs', retention: 50, maxMegabytes: 512, maxAgeDays: 30 },
  forwarding: { endpoint: '', headers: {} },
  inline: { mode: 'codelens', statsRuns: 20, includeDebugRuns: false },
  plans: { include: '**/*.{ts,mts,cts,js,mjs,cjs}', exclude: [] },
  timeline: { openIn: 'beside' },
  instrumentation: { enabled: true },
  run: { maxPasses: 10, logRecords: DEFAULT_LOG_RECORDS },
  backends: [],
  backendProblems: [],
  imports: { offerOnOpen: true },
};

export type SettingGetter = (key: string) => unknown;

function int(v: unknown, min: number, max: number, dflt: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : dflt;
}

function str(v: unknown, dflt: string): string {
  return typeof v === 'string' ? v.trim() : dflt;
}

function headers(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!v || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) if (typeof val === 'string' && k) out[k] = val;
  return out;
}

export const INLINE_MODES: readonly InlineMode[] = ['codelens', 'decorations', 'both', 'off'];

export function readSettings(get: SettingGetter): Settings {
  const d = DEFAULT_SETTINGS;
  const mode = get('inline.mode');
  return {
    collector: {
      port: int(get('collector.port'), 0, 65535, d.collector.port),
      maxMemoryMB: int(get('collector.maxMemoryMB'), 16, 64 * 1024, d.collector.maxMemoryMB),
      idleSeconds: int(get('collector.idleSeconds'), 0, 86_400, d.collector.idleSeconds),
      maxSpans: int(get('collector.maxSpans'), 1000, 50_000_000, d.collector.maxSpans),
      maxTraces: int(get('collector.maxTraces'), 1, 100_000, d.collector.maxTraces),
      maxBodyBytes: int(get('collector.maxBodyBytes'), 1024, 1024 * 1024 * 1024, d.collector.maxBodyBytes),
      decodeWorkers: int(get('collector.decodeWorkers'), 0, 8, d.collector.decodeWorkers),
      otlpProtocol: OTLP_PROTOCOLS.includes(get('collector.otlpProtocol') as OtlpProtocol) ? (get('collector.otlpProtocol') as OtlpProtocol) : d.collector.otlpProtocol,
      grpcPort: int(get('collector.grpcPort'), 0, 65535, d.collector.grpcPort),
    },
    persistence: {
      folder: str(get('persistence.folder'), d.persistence.folder),
      retention: int(get('persistence.retention'), 1, 100_000, d.persistence.retention),
      maxMegabytes: int(get('persistence.maxMegabytes'), 1, 1024 * 1024, d.persistence.maxMegabytes),
      maxAgeDays: int(get('persistence.maxAgeDays'), 0, 100_000, d.persistence.maxAgeDays),
    },
    forwarding: { endpoint: str(get('forwarding.endpoint'), ''), headers: headers(get('forwarding.headers')) },
    inline: {
      mode: INLINE_MODES.includes(mode as InlineMode) ? (mode as InlineMode) : d.inline.mode,
      statsRuns: int(get('inline.statsRuns'), 1, 1000, d.inline.statsRuns),
      includeDebugRuns: get('inline.includeDebugRuns') === true,
    },
    plans: {
      include: str(get('plans.include'), d.plans.include) || d.plans.include,
      exclude: Array.isArray(get('plans.exclude')) ? (get('plans.exclude') as unknown[]).filter((x): x is string => typeof x === 'string' && x.trim() !== '') : d.plans.exclude,
    },
    timeline: { openIn: get('timeline.openIn') === 'active' ? 'active' : d.timeline.openIn },
    instrumentation: { enabled: typeof get('instrumentation.enabled') === 'boolean' ? (get('instrumentation.enabled') as boolean) : true },
    run: {
      maxPasses: int(get('run.maxPasses'), 1, 10_000, d.run.maxPasses),
      logRecords: LOG_RECORDS_MODES.includes(get('run.logRecords') as LogRecordsMode) ? (get('run.logRecords') as LogRecordsMode) : d.run.logRecords,
    },
    ...backends(get('backends')),
    imports: { offerOnOpen: typeof get('imports.offerOnOpen') === 'boolean' ? (get('imports.offerOnOpen') as boolean) : d.imports.offerOnOpen },
  };
}

function backends(v: unknown): { backends: BackendConfig[]; backendProblems: string[] } {
  const out = { backends: [] as BackendConfig[], backendProblems: [] as string[] };
  if (!Array.isArray(v)) return out;
  v.forEach((entry, i) => {
    const b = readBackendConfig(entry);
    if (typeof b === 'string') out.backendProblems.push(`instrumentFirst.backends[${i}]: ${b}`);
    else out.backends.push(b);
  });
  return out;
}

/** The gRPC receiver's port when it should run, else undefined. */
export function grpcPortOf(s: Settings): number | undefined {
  return s.collector.otlpProtocol === 'grpc' || s.collector.grpcPort > 0 ? s.collector.grpcPort : undefined;
}

export function showsCodeLens(mode: InlineMode): boolean {
  return mode === 'codelens' || mode === 'both';
}

export function showsDecorations(mode: InlineMode): boolean {
  return mode === 'decorations' || mode === 'both';
}

/** Settings whose change needs the collector restarted. */
export function collectorSettingsChanged(a: Settings, b: Settings): boolean {
  return JSON.stringify([a.collector, a.persistence, a.forwarding]) !== JSON.stringify([b.collector, b.persistence, b.forwarding]);
}

/** Every setting key (without `instrumentFirst.`) with its default, flattened from {@link DEFAULT_SETTINGS}. */
export function settingDefaults(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [group, values] of Object.entries(DEFAULT_SETTINGS)) {
    // `backendProblems` is derived from `backends` while reading, not a setting of its own.
    if (group === 'backendProblems') continue;
    // A list (`backends`) is one setting; a group's fields are one setting each.
    if (Array.isArray(values)) out[group] = values;
    else for (const [k, v] of Object.entries(values as object)) out[`${group}.${k}`] = v;
  }
  return out;
}
