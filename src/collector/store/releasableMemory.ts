/**
 * Buffers whose memory goes back to the operating system when they are freed.
 *
 * Why: an ArrayBuffer made the usual way (`Buffer.allocUnsafeSlow`, `new ArrayBuffer(n)`) is
 * malloc'd. glibc maps a request of a MiB or so on its own only while it is above its *dynamic* mmap
 * threshold, which rises to the size of any such mapping freed (up to 32 MiB): after the first
 * freed request body or value buffer of that size, every later one comes from a malloc arena, and an
 * arena keeps the memory of a freed buffer (only its top end is ever given back). Under bench:memory
 * the thread arena of the large bodies' decode worker grew to 140–180 MiB and stayed there while
 * the store's large values fell from 200 to 126 MiB (small spans took the budget back, in the V8
 * heap beside it): RSS 428 MiB for 256 stored (docs/performance.md, `rss-lean`).
 *
 * A *resizable* ArrayBuffer (`maxByteLength`) is made by V8 from pages it reserves and commits
 * itself, not by malloc, and those pages are unmapped as soon as the buffer is freed — at once when
 * it is transferred away to a closed port (`BufferSink`), as freed value buffers are. It is
 * transferred, viewed and detached like any ArrayBuffer; it is never resized here. Measured (Node
 * 20, a worker making 200 buffers of 1 MiB after one freed 2 MiB buffer raised the threshold; 150
 * freed, every fourth kept): RSS 251 → 252 MiB with malloc'd buffers, 252 → 95 MiB with these.
 * Where the runtime has no resizable ArrayBuffers, the option is ignored and the buffer is a plain one.
 */
export function releasableBuffer(bytes: number): ArrayBuffer {
  return new (ArrayBuffer as unknown as new (n: number, options: { maxByteLength: number }) => ArrayBuffer)(bytes, { maxByteLength: bytes });
}
