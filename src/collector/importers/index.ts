export { ImportError } from './importError';
export {
  convertTraceFile,
  describeConverted,
  importConverted,
  FORMAT_NAMES,
  MAX_IMPORT_BYTES,
  type ConvertedTraceFile,
  type OtlpJsonImportTarget,
  type TraceFileFormat,
} from './traceFileImport';
export { sniffTraceFile } from './traceFileSniff';
