// The webview side of VS Code's messaging, typed with our protocol.
import type { TimelineState, WebviewToHost } from '../protocol/timelineMessages';

export interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: TimelineState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** VS Code allows one call per page load. */
export function vscodeApi(): VsCodeApi {
  return acquireVsCodeApi();
}
