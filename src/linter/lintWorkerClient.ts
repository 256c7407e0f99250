import { Worker } from 'node:worker_threads';
import {
  isLintWorkerMessage,
  type LintRequest,
  type LintRequestBody,
  type LintRequestType,
  type LintResultOf,
} from '../protocol/lintMessages';

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/**
 * Talks to the lint worker: typed requests with ids, one promise per request. Plain Node (no
 * `vscode`), so the extension's adapter and the tests use the same client.
 */
export class LintWorkerClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private disposed = false;
  readonly ready: Promise<void>;

  /** `workerPath`: dist/lintWorker.js of the extension (or out/src/linter/lintWorker.js in tests). */
  constructor(workerPath: string, private readonly onLog?: (level: string, message: string) => void) {
    this.worker = new Worker(workerPath);
    let markReady: () => void = () => undefined;
    this.ready = new Promise<void>((resolve) => (markReady = resolve));
    this.worker.on('message', (msg: unknown) => {
      if (!isLintWorkerMessage(msg)) return;
      if ('id' in msg) {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.ok) p.resolve(msg.result);
        else p.reject(new Error(msg.error));
      } else if (msg.type === 'ready') markReady();
      else this.onLog?.(msg.level, msg.message);
    });
    this.worker.on('error', (err) => this.failAll(err));
    this.worker.on('exit', (code) => this.failAll(new Error(`lint worker exited (${code})`)));
  }

  request<T extends LintRequestType>(body: LintRequestBody<T> & { type: T }): Promise<LintResultOf<T>> {
    if (this.disposed) return Promise.reject(new Error('lint worker disposed'));
    const id = this.nextId++;
    return new Promise<LintResultOf<T>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...body, id } as LintRequest);
    });
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.failAll(new Error('lint worker disposed'));
    await this.worker.terminate();
  }
}
