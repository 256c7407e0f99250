import type { AttrValue } from './spanView';

/** A log record as the read API answers it (`/api/traces/{id}/logs`, `/api/logs`). */
export interface LogView {
  timeMs: number;
  severityNumber: number;
  severityText: string;
  body: string;
  traceId?: string;
  spanId?: string;
  serviceName: string;
  scopeName?: string;
  attributes: Record<string, AttrValue>;
}
