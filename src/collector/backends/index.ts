export { parseBackendSpec, readBackendConfig, traceUrl, BACKEND_KINDS, KIND_NAMES, DEFAULT_BACKEND_TIMEOUT_MS, type BackendConfig, type BackendKind } from './backendConfig';
export { BackendError, fetchFromBackends, fetchTrace, traceOfTraceByIdResponse, type BackendErrorKind, type FetchedTrace, type FetchOptions } from './traceBackendClient';
export { REMOTE_ORIGIN_ATTR, storeFetchedTrace, type RemoteOrigin } from './remoteTraceStore';
