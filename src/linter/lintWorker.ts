// Entry of the lint worker (bundled to dist/lintWorker.js): runs the analysis on a
// worker_thread so that the extension host never blocks on ts-morph.
import { parentPort } from 'node:worker_threads';
import { isLintRequest, type LintWorkerMessage } from '../protocol/lintMessages';
import { LintService } from './lintService';

const port = parentPort;
if (port) {
  const service = new LintService();
  const post = (m: LintWorkerMessage): void => port.postMessage(m);
  port.on('message', (raw: unknown) => {
    if (!isLintRequest(raw)) {
      const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'number' ? (raw as { id: number }).id : -1;
      post({ id, ok: false, error: 'lint worker: malformed request' });
      return;
    }
    post(service.handle(raw));
    if (raw.type === 'dispose') port.close();
  });
  post({ type: 'ready' });
}
