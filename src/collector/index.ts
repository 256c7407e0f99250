/** The in-memory OTLP collector: receiver, store, queries, persistence, forwarding. No `vscode`. */
export { Collector, type CollectorOptions } from './collector';
export { SpanStore, type SpanStoreOptions } from './store/spanStore';
export type { Disposable } from './store/changeCoalescer';
export { DecodeError } from './store/decodedBatch';
export type { ForwardOptions } from './forwarder';
export type * from '../protocol/collectorTypes';
