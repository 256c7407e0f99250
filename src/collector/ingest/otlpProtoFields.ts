// Wire tags (field number << 3 | wire type) of opentelemetry/proto/trace/v1/trace.proto and
// common/v1/common.proto, named for their fields.
export const LEN = 2;
export const VARINT = 0;
export const I64 = 1;
export const I32 = 5;
/** A wire tag: field number << 3 | wire type. */
export const tag = (field: number, wire: number): number => (field << 3) | wire;
export const REQUEST_RESOURCE_SPANS = tag(1, LEN);
export const RESOURCE_SPANS_RESOURCE = tag(1, LEN);
export const RESOURCE_SPANS_SCOPE_SPANS = tag(2, LEN);
export const RESOURCE_SPANS_SCHEMA_URL = tag(3, LEN);
export const RESOURCE_ATTRIBUTES = tag(1, LEN);
export const RESOURCE_DROPPED = tag(2, VARINT);
export const SCOPE_SPANS_SCOPE = tag(1, LEN);
export const SCOPE_SPANS_SPANS = tag(2, LEN);
export const SCOPE_SPANS_SCHEMA_URL = tag(3, LEN);
export const SCOPE_NAME = tag(1, LEN);
export const SCOPE_VERSION = tag(2, LEN);
export const SCOPE_ATTRIBUTES = tag(3, LEN);
export const SCOPE_DROPPED = tag(4, VARINT);
export const SPAN_TRACE_ID = tag(1, LEN);
export const SPAN_SPAN_ID = tag(2, LEN);
export const SPAN_TRACE_STATE = tag(3, LEN);
export const SPAN_PARENT_SPAN_ID = tag(4, LEN);
export const SPAN_NAME = tag(5, LEN);
export const SPAN_KIND = tag(6, VARINT);
export const SPAN_START = tag(7, I64);
export const SPAN_END = tag(8, I64);
export const SPAN_ATTRIBUTES = tag(9, LEN);
export const SPAN_DROPPED_ATTRIBUTES = tag(10, VARINT);
export const SPAN_EVENTS = tag(11, LEN);
export const SPAN_DROPPED_EVENTS = tag(12, VARINT);
export const SPAN_LINKS = tag(13, LEN);
export const SPAN_DROPPED_LINKS = tag(14, VARINT);
export const SPAN_STATUS = tag(15, LEN);
export const SPAN_FLAGS = tag(16, I32);
export const STATUS_MESSAGE = tag(2, LEN);
export const STATUS_CODE = tag(3, VARINT);
export const EVENT_TIME = tag(1, I64);
export const EVENT_NAME = tag(2, LEN);
export const EVENT_ATTRIBUTES = tag(3, LEN);
export const EVENT_DROPPED = tag(4, VARINT);
export const LINK_TRACE_ID = tag(1, LEN);
export const LINK_SPAN_ID = tag(2, LEN);
export const LINK_TRACE_STATE = tag(3, LEN);
export const LINK_ATTRIBUTES = tag(4, LEN);
export const LINK_DROPPED = tag(5, VARINT);
export const LINK_FLAGS = tag(6, I32);
export const KEY_VALUE_KEY = tag(1, LEN);
export const KEY_VALUE_VALUE = tag(2, LEN);
export const ANY_STRING = tag(1, LEN);
export const ANY_BOOL = tag(2, VARINT);
export const ANY_INT = tag(3, VARINT);
export const ANY_DOUBLE = tag(4, I64);
export const ANY_ARRAY = tag(5, LEN);
export const ANY_KVLIST = tag(6, LEN);
export const ANY_BYTES = tag(7, LEN);
/** ArrayValue.values and KeyValueList.values. */
export const LIST_VALUES = tag(1, LEN);

// ExportTraceServiceResponse { partial_success = 1 }, ExportTracePartialSuccess { rejected_spans = 1;
// error_message = 2 } and google.rpc.Status { code = 1; message = 2 } (the receiver's answers).
export const RESPONSE_PARTIAL_SUCCESS = tag(1, LEN);
export const PARTIAL_REJECTED = tag(1, VARINT);
export const PARTIAL_ERROR_MESSAGE = tag(2, LEN);
export const RPC_STATUS_CODE = tag(1, VARINT);
export const RPC_STATUS_MESSAGE = tag(2, LEN);
