/** The in-memory OTLP collector: receiver, store, queries, persistence, forwarding. No `vscode`. */
export { Collector, type CollectorOptions } from './collector';
export { SpanStore, type SpanStoreOptions } from './spanStore';
export type { Disposable } from './changeCoalescer';
export { DecodeError } from './decodedBatch';
export type { ForwardOptions } from './forwarder';
export type * from '../protocol/collectorTypes';
