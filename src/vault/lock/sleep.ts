// A synchronous sleep for short lock waits. SQLite calls in this layer are synchronous, so a
// retry loop around them cannot await; Atomics.wait blocks the thread without spinning the CPU.
const cell = new Int32Array(new SharedArrayBuffer(4));

export function sleepSync(ms: number): void {
  if (ms > 0) Atomics.wait(cell, 0, 0, ms);
}
