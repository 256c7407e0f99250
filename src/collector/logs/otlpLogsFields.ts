import { I64, LEN, tag, VARINT } from '../ingest/otlpProtoFields';

// Wire tags (field number << 3 | wire type) of LogRecord in opentelemetry/proto/logs/v1/logs.proto,
// named for their fields. The request's envelope is in ingest/otlpSignalWalk.ts.
export const LOG_TIME = tag(1, I64);
export const LOG_SEVERITY_NUMBER = tag(2, VARINT);
export const LOG_SEVERITY_TEXT = tag(3, LEN);
export const LOG_BODY = tag(5, LEN);
export const LOG_ATTRIBUTES = tag(6, LEN);
export const LOG_TRACE_ID = tag(9, LEN);
export const LOG_SPAN_ID = tag(10, LEN);
export const LOG_OBSERVED_TIME = tag(11, I64);
