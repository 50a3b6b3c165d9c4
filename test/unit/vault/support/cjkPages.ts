// Real pages of the CJK tldr corpus (../shared/corpora/tldr-pages-cjk.tar.gz) for the tests.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { tldrCjkArchive } from '../../../helpers/paths';

/**
 * Extracts the named pages ("zh/common/tar.md", "ja/common/ls.md", ...) into `dir`; returns the
 * folder of each language (`<dir>/tldr-pages-cjk/pages.<lang>`), by language.
 */
export function extractCjkPages(dir: string, pages: readonly string[]): Record<string, string> {
  const members = pages.map((p) => {
    const [lang, ...rest] = p.split('/');
    return `tldr-pages-cjk/pages.${lang}/${rest.join('/')}`;
  });
  execFileSync('tar', ['-xzf', tldrCjkArchive, '-C', dir, ...members]);
  const out: Record<string, string> = {};
  for (const p of pages) {
    const lang = p.split('/')[0]!;
    out[lang] = join(dir, 'tldr-pages-cjk', `pages.${lang}`);
  }
  return out;
}

/** Extracts whole language folders ("zh", "ja", ...). */
export function extractCjkLanguages(dir: string, langs: readonly string[]): Record<string, string> {
  execFileSync('tar', ['-xzf', tldrCjkArchive, '-C', dir, ...langs.map((l) => `tldr-pages-cjk/pages.${l}`)]);
  return Object.fromEntries(langs.map((l) => [l, join(dir, 'tldr-pages-cjk', `pages.${l}`)]));
}
