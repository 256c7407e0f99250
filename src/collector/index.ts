/** The in-memory OTLP collector: receiver, store, queries, persistence, forwarding. No `vscode`. */
export { Collector, GrpcStartError, type CollectorOptions } from './collector';
export { SpanStore } from './store/spanStore';
export type { SpanStoreOptions } from './store/spanStoreTypes';
export type { Disposable } from './store/changeCoalescer';
export { DecodeError } from './store/decodedBatch';
export type { ForwardOptions } from './forwarder';
export type * from '../protocol/collectorTypes';
