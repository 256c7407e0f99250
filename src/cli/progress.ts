import type { SchedulerEvent } from '../runtime/scheduler';

/** A one-line progress display on a TTY (pass and step now running), redrawn at most every 100 ms. */
export class ProgressLine {
  private last = 0;
  private shown = false;
  private current: SchedulerEvent | undefined;
  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(event: SchedulerEvent): void {
    this.current = event;
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    this.draw();
  }

  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }

  private draw(): void {
    const e = this.current;
    if (!e) return;
    const text =
      e.type === 'pass'
        ? `pass ${e.pass} · planning…`
        : `pass ${e.pass} · step ${(e.stepsRun + 1).toLocaleString('en-US')} · ${e.id.replace(/[\u0000-\u001f]/g, '?')}`;
    const cols = this.stream.columns || 80;
    this.stream.write('\r\x1b[2K' + text.slice(0, cols - 1));
    this.shown = true;
  }
}
