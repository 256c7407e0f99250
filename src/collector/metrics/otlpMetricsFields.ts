import { I64, LEN, tag } from '../ingest/otlpProtoFields';
import type { MetricKind } from './metricStore';

// Wire tags (field number << 3 | wire type) of opentelemetry/proto/metrics/v1/metrics.proto, named
// for their fields. The request's envelope is in ingest/otlpSignalWalk.ts.
export const METRIC_NAME = tag(1, LEN);
export const METRIC_UNIT = tag(3, LEN);
/** Metric's data oneof: gauge = 5, sum = 7, histogram = 9, exponential_histogram = 10, summary = 11. */
export const METRIC_DATA: Readonly<Record<number, MetricKind>> = {
  [tag(5, LEN)]: 'gauge',
  [tag(7, LEN)]: 'sum',
  [tag(9, LEN)]: 'histogram',
  [tag(10, LEN)]: 'exponentialHistogram',
  [tag(11, LEN)]: 'summary',
};
/** Gauge, Sum, Histogram, ExponentialHistogram and Summary: repeated data_points = 1. */
export const DATA_POINTS = tag(1, LEN);
/** Every data point's time_unix_nano = 3 (fixed64). */
export const POINT_TIME = tag(3, I64);
/** Where each kind of data point keeps its attributes. */
export const POINT_ATTRIBUTES: Readonly<Record<MetricKind, number>> = {
  gauge: tag(7, LEN),
  sum: tag(7, LEN),
  summary: tag(7, LEN),
  histogram: tag(9, LEN),
  exponentialHistogram: tag(1, LEN),
};
/** NumberDataPoint: as_double = 4 (double), as_int = 6 (sfixed64). */
export const NUMBER_AS_DOUBLE = tag(4, I64);
export const NUMBER_AS_INT = tag(6, I64);
/** Histogram, exponential histogram and summary points: count = 4 (fixed64), sum = 5 (double). */
export const DISTRIBUTION_COUNT = tag(4, I64);
export const DISTRIBUTION_SUM = tag(5, I64);
