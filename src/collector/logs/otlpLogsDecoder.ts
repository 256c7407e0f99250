import type { AttrValue } from '../../protocol/spanView';
import { DecodeError, type DecodeContext } from '../store/decodedBatch';
import { anyValue, jsonTimeToMs } from '../ingest/otlpJsonDecoder';
import { readAnyValue } from '../ingest/protoAnyValue';
import { attrText } from '../../protocol/spanView';
import { ProtoReader } from '../ingest/protoReader';
import { ANY_ARRAY, ANY_KVLIST, KEY_VALUE_VALUE, LIST_VALUES, SCOPE_NAME } from '../ingest/otlpProtoFields';
import { decodeKeyValue, SCOPE_ITEMS_ITEMS, SCOPE_ITEMS_SCOPE, walkResourceScopes, within } from '../ingest/otlpSignalWalk';
import { LOG_ATTRIBUTES, LOG_BODY, LOG_OBSERVED_TIME, LOG_SEVERITY_NUMBER, LOG_SEVERITY_TEXT, LOG_SPAN_ID, LOG_TIME, LOG_TRACE_ID } from './otlpLogsFields';
import { LogRecord, packIds, type DecodedContent, type LogOrigin, type RawContent, type Severity } from './logRecord';

/** Log records from one request; invalid ones are counted, not kept. */
export interface DecodedLogs {
  records: LogRecord[];
  rejected: number;
  firstError: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const HEX = (n: number): RegExp => new RegExp(`^[0-9a-fA-F]{${n}}$`);
const HEX32 = HEX(32);
const HEX16 = HEX(16);
const SEVERITIES = ['SEVERITY_NUMBER_UNSPECIFIED'];

function jsonId(v: unknown, hex: RegExp, bytes: number): string | undefined {
  if (v === undefined || v === null || v === '') return '';
  if (typeof v !== 'string') return undefined;
  if (hex.test(v)) return /^0+$/.test(v) ? '' : v.toLowerCase();
  const b = Buffer.from(v, 'base64');
  return b.length === bytes ? b.toString('hex') : undefined;
}

function text(v: AttrValue | undefined): string {
  return v === undefined ? '' : typeof v === 'string' ? v : attrText(v);
}

/** An OTLP/JSON ExportLogsServiceRequest; throws DecodeError when its shape is wrong. */
export function decodeOtlpLogsJson(doc: unknown, ctx: DecodeContext, tables = new LogTables()): DecodedLogs {
  if (!isObj(doc)) throw new DecodeError('body must be a JSON object (ExportLogsServiceRequest)');
  const out: DecodedLogs = { records: [], rejected: 0, firstError: '' };
  const rl = doc.resourceLogs ?? [];
  if (!Array.isArray(rl)) throw new DecodeError('resourceLogs must be an array');
  rl.forEach((r, ri) => {
    if (!isObj(r)) throw new DecodeError(`resourceLogs[${ri}] must be an object`);
    const service = attrs(isObj(r.resource) ? r.resource.attributes : undefined, ctx, true)[2];
    const sls = r.scopeLogs ?? [];
    if (!Array.isArray(sls)) throw new DecodeError(`resourceLogs[${ri}].scopeLogs must be an array`);
    sls.forEach((sl, si) => {
      if (!isObj(sl)) throw new DecodeError(`resourceLogs[${ri}].scopeLogs[${si}] must be an object`);
      const scopeName = ctx.pool.intern(isObj(sl.scope) && typeof sl.scope.name === 'string' ? sl.scope.name : '');
      const recs = sl.logRecords ?? [];
      if (!Array.isArray(recs)) throw new DecodeError(`resourceLogs[${ri}].scopeLogs[${si}].logRecords must be an array`);
      recs.forEach((lr, li) => {
        const problem = jsonRecord(lr, ctx, tables, service, scopeName, out);
        if (problem && out.rejected++ === 0) out.firstError = `resourceLogs[${ri}].scopeLogs[${si}].logRecords[${li}]: ${problem}`;
      });
    });
  });
  return out;
}

function attrs(list: unknown, ctx: DecodeContext, wantService = false): [readonly string[], AttrValue[], string] {
  const keys: string[] = [];
  const values: AttrValue[] = [];
  let service = 'unknown_service';
  if (Array.isArray(list)) {
    for (const kv of list) {
      if (!isObj(kv) || typeof kv.key !== 'string') continue;
      const info = ctx.pool.key(kv.key);
      const v = anyValue(kv.value, ctx, 0, info);
      if (v === undefined) continue;
      keys.push(info.key);
      values.push(v);
      if (wantService && kv.key === 'service.name' && typeof v === 'string') service = v;
    }
  }
  return [ctx.shapes.share(keys, keys.length), values, ctx.pool.intern(service)];
}

function jsonRecord(lr: unknown, ctx: DecodeContext, tables: LogTables, serviceName: string, scopeName: string, out: DecodedLogs): string {
  if (!isObj(lr)) return 'log record must be an object';
  const traceId = jsonId(lr.traceId, HEX32, 16);
  if (traceId === undefined) return 'traceId must be empty or 16 bytes';
  const spanId = jsonId(lr.spanId, HEX16, 8);
  if (spanId === undefined) return 'spanId must be empty or 8 bytes';
  let timeMs = jsonTimeToMs(lr.timeUnixNano);
  if (!(timeMs > 0)) timeMs = jsonTimeToMs(lr.observedTimeUnixNano);
  if (!(timeMs > 0)) timeMs = Date.now();
  const sev = lr.severityNumber;
  const severityNumber = typeof sev === 'number' ? sev | 0 : typeof sev === 'string' ? (SEVERITIES.includes(sev) ? 0 : Number(/(\d+)$/.exec(sev)?.[1] ?? severityFromName(sev))) : 0;
  const [keys, values] = attrs(lr.attributes, ctx);
  const severity = tables.severity(ctx, severityNumber, typeof lr.severityText === 'string' ? lr.severityText : '');
  const content: DecodedContent = { body: text(anyValue(lr.body, ctx, 0)), keys, values };
  out.records.push(new LogRecord(timeMs, severity, packIds(traceId, spanId), tables.origin(serviceName, scopeName), content));
  return '';
}

/** Severities and origins shared by the records decoded into one store (bounded). */
export class LogTables {
  private readonly severities = new Map<string, Severity>();
  private readonly origins = new Map<string, LogOrigin>();

  severity(ctx: DecodeContext, number: number, text: string): Severity {
    const key = `${number}|${text}`;
    let s = this.severities.get(key);
    if (!s) {
      s = { number, text: ctx.pool.intern(text) };
      if (this.severities.size < 1000) this.severities.set(key, s);
    }
    return s;
  }

  origin(serviceName: string, scopeName: string): LogOrigin {
    const key = `${serviceName}\u0000${scopeName}`;
    let o = this.origins.get(key);
    if (!o) {
      o = { serviceName, scopeName };
      if (this.origins.size < 10_000) this.origins.set(key, o);
    }
    return o;
  }
}


const SEVERITY_NAMES: Record<string, number> = { TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 };
function severityFromName(s: string): number {
  const m = /SEVERITY_NUMBER_([A-Z]+)(\d?)$/.exec(s);
  return m ? (SEVERITY_NAMES[m[1]!] ?? 0) + (m[2] ? Number(m[2]) - 1 : 0) : 0;
}

/**
 * A protobuf ExportLogsServiceRequest (opentelemetry/proto/logs/v1 field numbers). Each record's
 * time, severity, ids, service and scope are read now; its body and attributes are checked now
 * (a malformed record fails the request) and decoded when it is read.
 */
export function decodeOtlpLogsProto(buf: Buffer, ctx: DecodeContext, tables = new LogTables()): DecodedLogs {
  const out: DecodedLogs = { records: [], rejected: 0, firstError: '' };
  const raw: RawContent = { buf, decode: (start, end) => decodeContent(buf, start, end, ctx), overheadPerRecord: 0 };
  walkResourceScopes(new ProtoReader(buf), ctx, (r, serviceName) => scopeLogs(r, ctx, tables, raw, serviceName, out));
  let inRecords = 0;
  for (const rec of out.records) inRecords += rec.end - rec.start;
  if (out.records.length > 0) raw.overheadPerRecord = Math.ceil((buf.length - inRecords) / out.records.length);
  return out;
}

function scopeLogs(r: ProtoReader, ctx: DecodeContext, tables: LogTables, raw: RawContent, serviceName: string, out: DecodedLogs): void {
  let scopeName = '';
  // Record ranges as flat [start, end, start, end, …]: no tuple per record.
  const recs: number[] = [];
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === SCOPE_ITEMS_SCOPE) {
      within(r, () => {
        while (r.pos < r.end) {
          const t = r.varint();
          if (t === SCOPE_NAME) scopeName = ctx.pool.intern(r.string());
          else r.skip(t & 7);
        }
      });
    } else if (tag === SCOPE_ITEMS_ITEMS) {
      const end = r.lengthEnd();
      recs.push(r.pos, end);
      r.pos = end;
    } else r.skip(tag & 7);
  }
  const origin = tables.origin(serviceName, scopeName);
  const last = new LastSeverity();
  for (let i = 0; i < recs.length; i += 2) {
    r.pos = recs[i]!;
    r.end = recs[i + 1]!;
    const problem = protoRecord(r, ctx, tables, raw, origin, last, out);
    if (problem && out.rejected++ === 0) out.firstError = `log record: ${problem}`;
  }
}

/** The severity of the previous record and where its text was (most records repeat it); room to put a record's ids together. */
class LastSeverity {
  severity: Severity | undefined;
  number = -1;
  textStart = 0;
  textEnd = 0;
  readonly ids = Buffer.allocUnsafe(24);
}

function sameBytes(buf: Buffer, a: number, b: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (buf[a + i] !== buf[b + i]) return false;
  return true;
}

function allZero(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] !== 0) return false;
  return true;
}

function protoRecord(r: ProtoReader, ctx: DecodeContext, tables: LogTables, raw: RawContent, origin: LogOrigin, last: LastSeverity, out: DecodedLogs): string {
  const start = r.pos;
  const end = r.end;
  const buf = r.buf;
  let timeMs = 0;
  let observedMs = 0;
  let severityNumber = 0;
  let textStart = 0;
  let textEnd = 0;
  let traceAt = -1;
  let spanAt = -1;
  while (r.pos < end) {
    const tag = r.varint();
    if (tag === LOG_TIME) timeMs = r.fixed64NanosToMs();
    else if (tag === LOG_OBSERVED_TIME) observedMs = r.fixed64NanosToMs();
    else if (tag === LOG_SEVERITY_NUMBER) severityNumber = r.varint();
    else if (tag === LOG_SEVERITY_TEXT) {
      textEnd = r.lengthEnd();
      textStart = r.pos;
      r.pos = textEnd;
    } else if (tag === LOG_BODY || tag === LOG_ATTRIBUTES) {
      // Checked now (no closure per value: this runs for every attribute of every record).
      const e = r.lengthEnd();
      r.end = e;
      checkValue(r, tag === LOG_ATTRIBUTES);
      r.pos = e;
      r.end = end;
    } else if (tag === LOG_TRACE_ID || tag === LOG_SPAN_ID) {
      const isTrace = tag === LOG_TRACE_ID;
      const e = r.lengthEnd();
      const len = e - r.pos;
      if (len > 0) {
        if (len !== (isTrace ? 16 : 8)) return `${isTrace ? 'trace_id' : 'span_id'} must be ${isTrace ? 16 : 8} bytes`;
        if (!allZero(buf, r.pos, e)) {
          if (isTrace) traceAt = r.pos;
          else spanAt = r.pos;
        }
      }
      r.pos = e;
    } else r.skip(tag & 7);
  }
  const textLen = textEnd - textStart;
  let severity = last.severity;
  if (!severity || last.number !== severityNumber || last.textEnd - last.textStart !== textLen || !sameBytes(buf, last.textStart, textStart, textLen)) {
    severity = tables.severity(ctx, severityNumber, textLen > 0 ? r.utf8(textStart, textEnd) : '');
    last.severity = severity;
    last.number = severityNumber;
    last.textStart = textStart;
    last.textEnd = textEnd;
  }
  // The ids straight from the bytes, one character a byte (see LogRecord.ids).
  // One flat string (a concatenation would keep two strings per record and be flattened on use).
  let ids = '';
  if (traceAt >= 0) {
    buf.copy(last.ids, 0, traceAt, traceAt + 16);
    if (spanAt >= 0) buf.copy(last.ids, 16, spanAt, spanAt + 8);
    ids = last.ids.toString('latin1', 0, spanAt >= 0 ? 24 : 16);
  }
  out.records.push(new LogRecord(timeMs > 0 ? timeMs : observedMs > 0 ? observedMs : Date.now(), severity, ids, origin, raw, start, end));
  return '';
}

/**
 * Walks a record's body (an AnyValue) or one of its attributes (a KeyValue) without keeping
 * anything: a malformed value fails the request now, not when the record is read.
 */
function checkValue(r: ProtoReader, keyValue: boolean): void {
  while (r.pos < r.end) {
    const t = r.varint();
    if (keyValue && t === KEY_VALUE_VALUE) checkWithin(r, false, 0);
    else if (!keyValue && (t === ANY_ARRAY || t === ANY_KVLIST)) checkWithin(r, true, 0);
    else r.skip(t & 7);
  }
}

/** checkNested over the length-delimited field at the reader's position. */
function checkWithin(r: ProtoReader, list: boolean, depth: number): void {
  const e = r.lengthEnd();
  const saved = r.end;
  r.end = e;
  checkNested(r, list, depth);
  r.pos = e;
  r.end = saved;
}

/** An AnyValue, or (`list`) an ArrayValue/KeyValueList, whose nested values are walked. */
function checkNested(r: ProtoReader, list: boolean, depth: number): void {
  if (depth > 32) throw new DecodeError('attribute values nested too deeply');
  while (r.pos < r.end) {
    const t = r.varint();
    if (!list && (t === ANY_ARRAY || t === ANY_KVLIST)) checkWithin(r, true, depth + 1);
    else if (list && t === LIST_VALUES) checkWithin(r, false, depth + 1);
    else r.skip(t & 7);
  }
}

/** Body and attributes of the record at buf[start, end). */
function decodeContent(buf: Buffer, start: number, end: number, ctx: DecodeContext): DecodedContent {
  const r = new ProtoReader(buf, end);
  r.pos = start;
  let body = '';
  const keys: string[] = [];
  const values: AttrValue[] = [];
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === LOG_BODY) within(r, () => (body = text(readAnyValue(r, ctx, r.end, 0))));
    else if (tag === LOG_ATTRIBUTES) {
      within(r, () => {
        const [k, v] = decodeKeyValue(r, ctx);
        if (k !== undefined && v !== undefined) {
          const info = ctx.pool.key(k);
          keys.push(info.key);
          values.push(typeof v === 'string' ? ctx.pool.value(info, v) : v);
        }
      });
    } else r.skip(tag & 7);
  }
  return { body, keys, values };
}
