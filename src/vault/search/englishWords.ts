// English words, to tell a slip of the keyboard ("pasword") from a word the vault simply does
// not use ("flooding"): only a word that is no English word is corrected (spelling.ts). The list
// is the `word-list` package's (274k words with their inflected forms, MIT), copied into dist/ by
// the build, sorted; read once, when a query first holds a word the vault lacks.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const WORD_LIST_FILE = 'word-list.txt';

/**
 * The list as read: one word per line, sorted by code unit, searched in place by bisection (a Set
 * of 274k strings takes ~350 ms to build and ~15 MB; reading the file takes a few milliseconds).
 */
let list: string | null | undefined;

function listFile(): string | undefined {
  // Bundled: dist/word-list.txt beside the bundle; from source: the package in node_modules
  // (whose order is off in two places, which bisection may miss: no word a test relies on).
  const bundled = join(__dirname, WORD_LIST_FILE);
  if (existsSync(bundled)) return bundled;
  try {
    const fromPackage = join(dirname(require.resolve('word-list')), 'words.txt');
    return existsSync(fromPackage) ? fromPackage : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `word` (lower case) is an English word. Without the list (a build that lost it) every
 * word counts as one, so nothing is corrected rather than anything wrongly.
 */
export function isEnglishWord(word: string): boolean {
  if (list === undefined) {
    const file = listFile();
    list = file ? readFileSync(file, 'utf8') : null;
  }
  if (list === null) return true;
  // Bisection over character offsets: each probe reads the line around the middle.
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const start = list.lastIndexOf('\n', mid - 1) + 1;
    let end = list.indexOf('\n', start);
    if (end < 0) end = list.length;
    const line = list.slice(start, end);
    if (line === word) return true;
    if (line < word) lo = end + 1;
    else hi = start;
  }
  return false;
}
