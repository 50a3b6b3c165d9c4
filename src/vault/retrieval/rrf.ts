// Reciprocal rank fusion: score(d) = sum over rankings of 1 / (k + rank(d)), ranks from 1.
// It needs no score calibration between bm25 and cosine similarity, only their orders.

export const RRF_K = 60;

export interface FusedEntry {
  id: number;
  /** Sum of 1 / (k + rank) over the rankings that contain the id. */
  score: number;
  /** Rank (from 1) in each ranking, by ranking name; absent where the ranking lacks the id. */
  ranks: Record<string, number>;
}

export interface Ranking {
  name: string;
  /** Ids best first; a repeated id keeps its first (best) rank. */
  ids: readonly number[];
}

function bestRank(e: FusedEntry): number {
  let best = Infinity;
  for (const r of Object.values(e.ranks)) if (r < best) best = r;
  return best;
}

/**
 * Deterministic order: higher fused score; on an exact tie, the better single rank; then the
 * better rank in the earlier-listed ranking (callers list lexical first, so an exact word match
 * wins a tie); then the lower id.
 */
export function compareFused(a: FusedEntry, b: FusedEntry, order: readonly string[]): number {
  if (a.score !== b.score) return b.score - a.score;
  const br = bestRank(a) - bestRank(b);
  if (br !== 0) return br;
  for (const name of order) {
    const ra = a.ranks[name] ?? Infinity;
    const rb = b.ranks[name] ?? Infinity;
    if (ra !== rb) return ra < rb ? -1 : 1;
  }
  return a.id - b.id;
}

export function fuseRankings(rankings: readonly Ranking[], k = RRF_K): FusedEntry[] {
  if (!(k > 0)) throw new RangeError(`The RRF constant must be positive, got ${k}.`);
  const byId = new Map<number, FusedEntry>();
  for (const ranking of rankings) {
    const seen = new Set<number>();
    let rank = 0;
    for (const id of ranking.ids) {
      if (seen.has(id)) continue;
      seen.add(id);
      rank++;
      let e = byId.get(id);
      if (!e) {
        e = { id, score: 0, ranks: {} };
        byId.set(id, e);
      }
      e.ranks[ranking.name] = rank;
      e.score += 1 / (k + rank);
    }
  }
  const order = rankings.map((r) => r.name);
  return [...byId.values()].sort((a, b) => compareFused(a, b, order));
}
