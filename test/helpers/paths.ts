// Where tests find the real things they use: ../shared beside the checkout (models, corpora).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..');
export const sharedDir = resolve(repoRoot, '..', 'shared');
export const tinyModel = join(sharedDir, 'models', 'stories260K.gguf');
export const tinyModelSha256 = '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d';
export const rustBook = join(sharedDir, 'corpora', 'rust-book', 'src');
export const tldrArchive = join(sharedDir, 'corpora', 'tldr-pages.tar.gz');
/** tldr pages in Chinese, Japanese, Korean and Thai: tldr-pages-cjk/pages.<lang>/<platform>/<command>.md. */
export const tldrCjkArchive = join(sharedDir, 'corpora', 'tldr-pages-cjk.tar.gz');

/** A fresh temporary folder, removed by the returned function. */
export function tempDir(prefix = 'cv-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
