import * as vscode from 'vscode';
import { LensPacer } from './lensPacer';
import type { Metrics } from './metrics';

/**
 * The one onDidChangeCodeLenses of our CodeLens providers (durations, baseline check), paced by
 * {@link LensPacer}. VS Code asks every provider of a document when any of them fires, and every
 * fire restarts its wait: so all our providers tell this one object that their lenses changed, and
 * only the durations provider reports VS Code's asks (it is asked in every round).
 */
export class LensRefresh implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  private readonly pacer: LensPacer;
  readonly onDidChange = this.emitter.event;

  constructor(metrics: Metrics, live: () => boolean) {
    this.pacer = new LensPacer({
      fire: () => {
        metrics.noteCodeLensFired();
        this.emitter.fire();
      },
      live,
      now: () => Date.now(),
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    });
  }

  /** Lenses would show something new. */
  changed(): void {
    this.pacer.changed();
  }

  /** A run started or ended. */
  liveChanged(): void {
    this.pacer.liveChanged();
  }

  /** VS Code asked for lenses; the answer reads the data as it is now. */
  asked(): void {
    this.pacer.asked();
  }

  dispose(): void {
    this.pacer.dispose();
    this.emitter.dispose();
  }
}
