// node-llama-cpp is ESM-only with top-level await, so it cannot be require()d: the engine loads
// it with a dynamic import (works both in the ESM bundle and under tsx in tests), once.
export type NodeLlamaCpp = typeof import('node-llama-cpp');

let loading: Promise<NodeLlamaCpp> | undefined;

export function loadNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  loading ??= import('node-llama-cpp');
  return loading;
}
