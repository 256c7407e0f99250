/**
 * One notion of error for every view: a span with status ERROR, or with an `exception` event (a
 * step that recorded what it caught but left its status unset still failed at something).
 */
import type { SpanView } from '../protocol/spanView';

export function spanHasError(span: Pick<SpanView, 'status' | 'events'>): boolean {
  return span.status === 'error' || span.events.some((e) => e.name === 'exception');
}
