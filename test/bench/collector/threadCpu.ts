// CPU time per thread of this process, from /proc (Linux only): the storing thread (the main one),
// the threads started after a moment (the collector's decode workers, and libuv's pool if used), and
// the rest (V8's platform threads: GC helpers, compilers). Used by the collector bench's server.
import { readdirSync, readFileSync } from 'node:fs';

/** CPU ms by group; undefined where /proc/self/task is not readable. */
export interface ThreadCpuMs {
  main: number;
  started: number;
  other: number;
}

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on Linux's supported builds). */
const TICK_MS = 10;

function threadTicks(): Map<number, number> | undefined {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return undefined;
  }
  const out = new Map<number, number>();
  for (const t of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(t), Number(f[11]) + Number(f[12]));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/** Splits this process's threads into those that exist now and those started later. */
export class ThreadCpu {
  private readonly before = new Set(threadTicks()?.keys() ?? []);

  read(): ThreadCpuMs | undefined {
    const ticks = threadTicks();
    if (!ticks) return undefined;
    const out: ThreadCpuMs = { main: 0, started: 0, other: 0 };
    for (const [tid, t] of ticks) {
      if (tid === process.pid) out.main += t * TICK_MS;
      else if (this.before.has(tid)) out.other += t * TICK_MS;
      else out.started += t * TICK_MS;
    }
    return out;
  }
}
