// Where a process's resident memory is, from /proc/self/smaps (Linux; elsewhere undefined):
// resident bytes of each kind of mapping, in MiB. Used by the collector process of bench:memory to
// say what the "other" part of RSS (beyond V8's heap and external memory) is made of.
//
// How mappings are told apart (glibc 2.36, Node 20, x64):
//  - `[heap]`: the main malloc arena (brk): Buffers and ArrayBuffers the main thread allocates
//    below the mmap threshold, and everything else malloc'd there (V8's and Node's native side).
//  - per-thread malloc arenas: glibc gives each thread that mallocs an arena made of heaps of 64 MiB
//    of address space, aligned to 64 MiB, read-write where used and PROT_NONE beyond (worker
//    threads' Buffers, the backing stores of ArrayBuffers they make, libuv threads' zlib work…).
//  - V8's heap pages: anonymous read-write mappings at 256 KiB-aligned addresses (the main isolate's
//    and each worker isolate's, young and old generation alike); the main isolate's part is its
//    heapTotal, the rest is the workers'.
//  - large anonymous chunks: malloc's own mmaps above the mmap threshold (a 1 MiB request body,
//    a 64 KiB value when the threshold is still 128 KiB…), at page-aligned addresses.
//  - stacks, and file-backed mappings (node's binary and libraries).
import { readFileSync } from 'node:fs';

export interface MemoryMap {
  rssMiB: number;
  mainArenaMiB: number;
  threadArenasMiB: number;
  threadArenas: number;
  v8PagesMiB: number;
  largeAnonMiB: number;
  otherAnonMiB: number;
  fileMiB: number;
  /** The largest resident anonymous mappings: "size rss perms" in KiB. */
  largest: string[];
}

const ARENA = 64 * 1024 * 1024;
const V8_PAGE = 256 * 1024;

interface Mapping {
  start: number;
  end: number;
  perms: string;
  path: string;
  rss: number;
}

function parse(text: string): Mapping[] {
  const out: Mapping[] = [];
  let cur: Mapping | undefined;
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      cur = { start: parseInt(head[1]!, 16), end: parseInt(head[2]!, 16), perms: head[3]!, path: head[4]!.trim(), rss: 0 };
      out.push(cur);
    } else if (cur && line.startsWith('Rss:')) {
      cur.rss = Number(/(\d+)/.exec(line)![1]) * 1024;
    }
  }
  return out;
}

export function memoryMap(): MemoryMap | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return undefined;
  }
  const maps = parse(text);
  const MiB = 1024 * 1024;
  const r = { rss: 0, main: 0, arenas: 0, arenaCount: 0, v8: 0, large: 0, other: 0, file: 0 };
  const anon: Mapping[] = [];
  for (let i = 0; i < maps.length; i++) {
    const m = maps[i]!;
    r.rss += m.rss;
    if (m.path === '[heap]') r.main += m.rss;
    else if (m.path !== '' && !m.path.startsWith('[anon')) {
      if (!m.path.startsWith('[')) r.file += m.rss;
      else r.other += m.rss;
    } else if (m.start % ARENA === 0 && m.perms.startsWith('rw') && (m.end - m.start === ARENA || (maps[i + 1]?.start === m.end && maps[i + 1]!.perms.startsWith('---') && maps[i + 1]!.end - m.start === ARENA))) {
      r.arenas += m.rss;
      r.arenaCount++;
      anon.push(m);
    } else if (m.rss > 0) {
      anon.push(m);
      if (m.start % V8_PAGE === 0 && (m.end - m.start) % V8_PAGE === 0) r.v8 += m.rss;
      else if (m.end - m.start >= 128 * 1024) r.large += m.rss;
      else r.other += m.rss;
    }
  }
  anon.sort((a, b) => b.rss - a.rss);
  const mib = (n: number): number => Math.round((n / MiB) * 10) / 10;
  return {
    rssMiB: mib(r.rss),
    mainArenaMiB: mib(r.main),
    threadArenasMiB: mib(r.arenas),
    threadArenas: r.arenaCount,
    v8PagesMiB: mib(r.v8),
    largeAnonMiB: mib(r.large),
    otherAnonMiB: mib(r.other),
    fileMiB: mib(r.file),
    largest: anon.slice(0, 8).map((m) => `${Math.round((m.end - m.start) / 1024)} ${Math.round(m.rss / 1024)} ${m.perms}${m.start % ARENA === 0 ? ' arena' : ''}`),
  };
}

/** One point of the memory timeline bench:memory prints with `--series` (MiB; see memoryMap). */
export interface MemorySample {
  /** Seconds since the collector started. */
  t: number;
  rss: number;
  /** The main isolate's new space and old space (committed / used). */
  newSpace: number;
  oldSpace: number;
  oldUsed: number;
  external: number;
  /** What the budget counts: all of it, and the part held off the heap (large values in slabs). */
  stored: number;
  storedOffHeap: number;
  map?: Omit<MemoryMap, 'largest'>;
}

/**
 * A sample as one line: where RSS is beside what the budget holds. The gap between the large values
 * stored (`offHeap`) and the thread arenas plus large mappings that hold them is malloc's: freed
 * memory glibc keeps (docs/collector-limits.md, "What the process holds beyond the budget").
 */
export function sampleLine(s: MemorySample): string {
  const m = s.map;
  const where = m ? ` | V8 ${m.v8PagesMiB} (main ${s.newSpace}+${s.oldSpace}, rest ${Math.round(m.v8PagesMiB - s.newSpace - s.oldSpace)}) arenas ${m.threadArenasMiB}/${m.threadArenas} large ${m.largeAnonMiB} main arena ${m.mainArenaMiB} files ${m.fileMiB}` : '';
  return `${s.t.toFixed(1)} s: RSS ${s.rss}; stored ${s.stored} (off heap ${s.storedOffHeap}); old space used ${s.oldUsed}; external ${s.external}${where}`;
}
