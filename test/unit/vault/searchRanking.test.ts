// The lexical ranking as people meet it: plain-language questions, partial matches ranked by how
// many of the question's words they hold, notes before their chunks, titles/aliases/file names
// above body text, and words found in Chinese, Japanese, Thai and Korean text (real tldr pages).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { WORD_SEPARATOR } from '../../../src/vault/search/segmenter';
import { Vault } from '../../../src/vault/vault';
import { tempDir } from '../../helpers/paths';
import { extractCjkPages } from './support/cjkPages';

async function withNotes(notes: Record<string, string>, fn: (v: Vault, root: string) => void | Promise<void>): Promise<void> {
  const t = tempDir('cv-rank-');
  const root = join(t.dir, 'notes');
  for (const [p, text] of Object.entries(notes)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  const v = Vault.open(join(t.dir, 'v.db'));
  try {
    await v.indexRoots([root]);
    await fn(v, root);
  } finally {
    v.close();
    t.cleanup();
  }
}

const notesOf = (hits: { path: string }[]): string[] => [...new Set(hits.map((h) => h.path))];

/** Scores never rise down the list (partial matches below full ones, capped chunks below the rest). */
function assertScoresInOrder(hits: readonly { score: number }[], message?: string): void {
  for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1]!.score >= hits[i]!.score, message ?? `score ${i} rises above score ${i - 1}`);
}

test('a plain-language question finds the notes holding its content words; question words do not decide', () =>
  withNotes({
    'threads.md': '# Worker pools\n\nTo share data between threads, wrap it in a mutex and clone the handle for each thread.\n',
    'data.md': '# Data formats\n\nData can be stored as JSON or CSV.\n',
    'diary.md': '# Diary\n\nHow do I know what I want? I do not know how I do it, and I wonder what I do with my days.\n',
    'threads-only.md': '# Threads\n\nThreads threads threads. A thread is scheduled by the system; threads run at once.\n',
  }, (v) => {
    const hits = v.searchLexical('How do I share data between threads?', { limit: 10 });
    assert.ok(hits.length > 0, 'never empty when the content words are in the vault');
    assert.equal(hits[0]!.path, 'threads.md', 'the note holding "share", "data" and "threads" leads');
    const order = notesOf(hits);
    assert.ok(!order.includes('diary.md'), `"how", "do", "I" alone find nothing: ${order.join(', ')}`);
    // Coverage: a note with two of the words ranks above one repeating a single word.
    const partial = v.searchLexical('share threads data mutex clone scheduler', { limit: 10 });
    assert.equal(partial[0]!.path, 'threads.md');
    assertScoresInOrder(partial);
    // Only stopwords: they are searched for themselves.
    assert.equal(v.searchLexical('what I do', { limit: 3 })[0]?.path, 'diary.md');
  }));

test('indefinite pronouns do not decide: "something", "someone", "else" are no topic', () =>
  withNotes({
    'sudo.md': '# sudo\n\nRun a command as another user, for example as the administrator.\n',
    'diary.md': '# Diary\n\nSomeone said something, and then someone else said something else.\n',
  }, (v) => {
    const order = notesOf(v.searchLexical('How do I run something as someone else?', { limit: 10 }));
    assert.deepEqual(order, ['sudo.md'], `only the note about running a command: ${order.join(', ')}`);
  }));

test('partial matches: a note whose title holds the question\'s words ranks above one repeating them in its text', () =>
  withNotes({
    'backups.md': `---\naliases: [snapshots]\n---\n# Backups\n\nCopy the folder to the external drive every week. ${'Label the drive with the date and keep it in a dry place. '.repeat(12)}\n`,
    'journal.md': '# Journal\n\nBackups and snapshots: backups, snapshots.\n',
    'garden.md': '# Garden\n\nWater the tomatoes in the evening.\n',
    'recipes.md': '# Recipes\n\nBake the bread for forty minutes.\n',
    'travel.md': '# Travel\n\nPack a raincoat and a map.\n',
  }, (v) => {
    // No chunk holds "restore" (nor "yesterday"): partial matches only, each note holding two of the four words.
    const order = notesOf(v.searchLexical('restore backups snapshots yesterday', { limit: 10 }));
    assert.deepEqual(order, ['backups.md', 'journal.md']);
  }));

test('coverage: among partial matches, more of the query\'s words beats one word repeated', () =>
  withNotes({
    'both.md': '# Notes\n\nThe compiler checks each borrow against the lifetime of its owner.\n',
    'repeat.md': '# Lifetimes\n\nLifetime, lifetime, lifetime: every lifetime annotation names a lifetime, and lifetimes nest.\n',
    'other.md': '# Other\n\nNothing to see here.\n',
  }, (v) => {
    // No chunk has all three words (no "elision" anywhere): partial matches only.
    const hits = v.searchLexical('borrow lifetime elision', { limit: 5 });
    assert.deepEqual(notesOf(hits).slice(0, 2), ['both.md', 'repeat.md']);
  }));

test('partial matches: a note holding the question\'s other words in another section ranks above a passage repeating the same few', () =>
  withNotes({
    // The subject in one section, the schedule in the next: no chunk holds every word, the note does.
    'ops.md': '# Ops notes\n\n## Logs\n\nRotate the logs of the web server with logrotate.\n\n## Cron\n\nSchedule a job to run every night with crontab.\n',
    // The same four words, repeated, and nothing about the schedule.
    'proxy.md': '# Proxy\n\nThe web server rotates its logs when it restarts: restart the web server to rotate the logs.\n',
    'diary.md': '# Diary\n\nEvery night I read. Every night I sleep late.\n',
    'moon.md': '# Moon\n\nThe moon rises every night.\n',
  }, (v) => {
    const hits = v.searchLexical('how do I rotate the logs of the web server every night', { limit: 10 });
    assert.deepEqual(notesOf(hits).slice(0, 2), ['ops.md', 'proxy.md'], hits.map((h) => `${h.path}:${h.startLine}`).join(', '));
    assert.deepEqual([hits[0]!.startLine, hits[0]!.endLine], [3, 5], 'the section about the logs leads its note');
    assertScoresInOrder(hits);
  }));

test('note first: at most three chunks of one note before the other notes; lines stay exact', () => {
  const sections = Array.from({ length: 8 }, (_, i) => `## Part ${i + 1}\n\nThe quokka eats leaves in part ${i + 1}; quokka quokka.\n`).join('\n');
  return withNotes({
    'long.md': `# Quokka handbook\n\n${sections}`,
    'a.md': '# Island\n\nA quokka lives on the island.\n',
    'b.md': '# Animals\n\nMarsupials such as the quokka hop.\n',
  }, (v, root) => {
    const hits = v.searchLexical('quokka', { limit: 10 });
    assert.equal(hits.length, 10);
    const firstSix = hits.slice(0, 5).map((h) => h.path);
    assert.equal(firstSix.filter((p) => p === 'long.md').length, 3, `three chunks of long.md first: ${firstSix.join(', ')}`);
    assert.ok(firstSix.includes('a.md') && firstSix.includes('b.md'), 'the other notes get their turn on the first page');
    assert.ok(hits.slice(5).every((h) => h.path === 'long.md'), 'the rest of long.md follows');
    assertScoresInOrder(hits, 'scores stay in order');
    const lines = readFileSync(join(root, 'long.md'), 'utf8').split('\n');
    for (const h of hits.filter((x) => x.path === 'long.md')) {
      const text = lines.slice(h.startLine - 1, h.endLine).join('\n');
      assert.match(text, /quokka/i, `lines ${h.startLine}-${h.endLine} hold the match`);
    }
  });
});

test('note first even when one note has more matching chunks than are read at once', () => {
  const sections = Array.from({ length: 60 }, (_, i) => `## Part ${i + 1}\n\nThe quokka eats leaves in part ${i + 1}; quokka quokka quokka.\n`).join('\n');
  return withNotes({
    'crowded.md': `# Quokka handbook\n\n${sections}`,
    'a.md': '# Island\n\nA quokka lives on the island.\n',
    'b.md': '# Animals\n\nMarsupials such as the quokka hop.\n',
  }, (v) => {
    // limit 5 reads 20 candidates first: all of them chunks of crowded.md.
    const hits = v.searchLexical('quokka', { limit: 5 });
    assert.deepEqual(hits.map((h) => h.path).sort(), ['a.md', 'b.md', 'crowded.md', 'crowded.md', 'crowded.md']);
    assertScoresInOrder(hits);
    const more = v.searchLexical('quokka', { limit: 10 });
    assert.deepEqual(more.slice(0, 5).map((h) => h.chunkId).sort(), hits.map((h) => h.chunkId).sort(), 'a longer list starts the same');
  });
});

test('title, aliases and file name weigh above body text', () =>
  withNotes({
    'body.md': '# Groceries\n\nBuy cheese, bread and a cheatsheet for the market.\n',
    'alias.md': '---\naliases: [Cheese, Fromage]\n---\n# Dairy notes\n\nHard and soft kinds, and how long they keep.\n',
    'kubectl-cheatsheet.md': '# Reference\n\nCommands to list pods and read their logs.\n',
    'title.md': '# Market day\n\nWe went out.\n',
  }, (v) => {
    assert.equal(v.searchLexical('cheese')[0]?.path, 'alias.md', 'a front matter alias');
    assert.equal(v.searchLexical('fromage')[0]?.path, 'alias.md');
    assert.equal(v.searchLexical('cheatsheet')[0]?.path, 'kubectl-cheatsheet.md', 'a file name');
    assert.equal(v.searchLexical('market')[0]?.path, 'title.md', 'a title');
    // The displayed title stays the note's title.
    assert.equal(v.searchLexical('cheatsheet')[0]?.title, 'Reference');
  }));

test('a renamed note is found by its new file name, no longer by the old one', () =>
  withNotes({ 'old-name.md': '# Reference\n\nCommands to list pods.\n' }, async (v, root) => {
    assert.equal(v.searchLexical('old')[0]?.path, 'old-name.md');
    const { renameSync } = await import('node:fs');
    renameSync(join(root, 'old-name.md'), join(root, 'kubernetes-tips.md'));
    assert.equal(v.renameFile(root, 'old-name.md', 'kubernetes-tips.md'), 'renamed');
    assert.equal(v.searchLexical('kubernetes')[0]?.path, 'kubernetes-tips.md');
    assert.deepEqual(v.searchLexical('old'), []);
    assert.equal(v.integrityCheck(), 'ok');
  }));

test('a word finds the notes that say the same thing in the vault\'s own word (folder -> directory), and only when the vault prefers that word', () =>
  withNotes({
    'rmdir.md': '# rmdir\n\nRemove an empty directory. Remove a directory and its parents.\n',
    'ls.md': '# ls\n\nList the files of a directory, hidden ones too.\n',
    'cp.md': '# cp\n\nCopy a directory recursively.\n',
    'rm.md': '# rm\n\nRemove files.\n',
    'gardening.md': '# Gardening\n\nDelete the weeds before they spread.\n',
  }, async (v, root) => {
    const hits = v.searchLexical('how do I delete a folder', { limit: 10 });
    assert.equal(hits[0]?.path, 'rmdir.md', `"delete" and "folder" are "remove" and "directory" in this vault: ${notesOf(hits).join(', ')}`);
    assert.match(hits[0]!.snippet, /«Remove» an empty «directory»/, 'the words that matched are marked');
    assertScoresInOrder(hits);
    assert.deepEqual(notesOf(v.searchLexical('"folder"')), [], 'a quoted word means that word');
    // A vault that says "folder" more than "directory" is searched for folder alone.
    for (const [p, text] of Object.entries({ 'a.md': '# A\n\nOpen the folder.\n', 'b.md': '# B\n\nShare the folder.\n', 'c.md': '# C\n\nSync the folder.\n', 'd.md': '# D\n\nA folder of photos.\n' })) writeFileSync(join(root, p), text);
    await v.indexRoots([root]);
    assert.deepEqual(notesOf(v.searchLexical('folder', { limit: 10 })).sort(), ['a.md', 'b.md', 'c.md', 'd.md']);
  }));

const PAGES = [
  ...['tar', 'ls', 'cp', 'chmod', 'cat', 'grep'].flatMap((c) => ['zh', 'ja', 'ko'].map((l) => `${l}/common/${c}.md`)),
  ...['ls', 'egrep', 'fgrep', 'gunzip', 'bunzip2', 'docker-ps', 'docker-cp'].map((c) => `th/common/${c}.md`),
];

test('Chinese, Japanese, Thai and Korean: words inside sentences are found, at index and at query time (real tldr pages)', async () => {
  const t = tempDir('cv-cjk-');
  try {
    const langs = extractCjkPages(t.dir, PAGES);
    const v = Vault.open(join(t.dir, 'v.db'));
    try {
      await v.indexRoots(Object.values(langs));
      const top = (q: string): string => {
        const h = v.searchLexical(q, { limit: 5 });
        return h.length ? `${h[0]!.root.split('pages.')[1]}/${h[0]!.path}` : '(nothing)';
      };
      // "列出包含隐藏文件的所有文件" is one sentence of zh/ls.md: two words inside it.
      assert.equal(top('隐藏 文件'), 'zh/common/ls.md');
      assert.equal(top('隐藏文件'), 'zh/common/ls.md', 'the query is segmented too');
      assert.equal(top('如何列出隐藏的文件？'), 'zh/common/ls.md', 'a question');
      assert.equal(top('隠しファイル'), 'ja/common/ls.md');
      assert.equal(top('隠しファイルを表示するにはどうすればいいですか'), 'ja/common/ls.md');
      assert.equal(top('ไฟล์ที่ถูกซ่อน'), 'th/common/ls.md');
      assert.equal(top('숨겨진 파일을 보려면?'), 'ko/common/ls.md', 'Korean particles: 파일을 ~ 파일');

      // The chunk keeps its text as in the file; the index reads a segmented copy.
      const row = v.db.get<{ body: string; fts_body: string | null; start_line: number; end_line: number }>(
        "SELECT c.body, c.fts_body, c.start_line, c.end_line FROM chunks c JOIN documents d ON d.id = c.doc_id JOIN roots r ON r.id = d.root_id WHERE r.path LIKE '%pages.zh' AND d.path = 'common/ls.md'",
      )!;
      const file = readFileSync(join(langs['zh']!, 'common', 'ls.md'), 'utf8').split('\n');
      assert.equal(row.body, file.slice(row.start_line - 1, row.end_line).join('\n'));
      assert.ok(!row.body.includes(WORD_SEPARATOR));
      assert.ok(row.fts_body?.includes(`隐藏${WORD_SEPARATOR}文件`));

      // Snippets: no separator, and no highlight cuts a letter from its marks (Thai vowel signs).
      for (const q of ['隐藏 文件', 'ไฟล์ ซ่อน', '隠し ファイル', '숨겨진']) {
        for (const h of v.searchLexical(q, { limit: 5 })) {
          assert.ok(!h.snippet.includes(WORD_SEPARATOR), h.snippet);
          assert.match(h.snippet, /«[^»]+»/, `${q}: ${h.snippet}`);
          assert.doesNotMatch(h.snippet, /[«»]\p{M}/u, `a highlight splits a character: ${h.snippet}`);
          for (const ch of h.snippet) assert.ok(!/[\ud800-\udfff]/.test(ch), 'no lone surrogate');
        }
      }
      assert.equal(v.integrityCheck(), 'ok');
    } finally {
      v.close();
    }
  } finally {
    t.cleanup();
  }
});

test('two words also match the word they make together where the vault writes it so (time zone -> timezone, log in -> login)', () =>
  withNotes({
    'clock.md': '# Clock\n\nChange the timezone of the system clock.\n',
    'date.md': '# Date\n\nShow the date in another timezone.\n',
    'account.md': '# Account\n\nLogin with your account name.\n',
    'game.md': '# Game\n\nThe time is up when the ball leaves the zone.\n',
  }, async (v, root) => {
    assert.deepEqual(notesOf(v.searchLexical('time zone', { limit: 10 })).sort(), ['clock.md', 'date.md', 'game.md'], 'timezone holds both words');
    assert.equal(v.searchLexical('how do I change the time zone', { limit: 10 })[0]?.path, 'clock.md');
    assert.equal(v.searchLexical('how do I log in to my account', { limit: 10 })[0]?.path, 'account.md');
    assert.deepEqual(notesOf(v.searchLexical('"time zone"')), [], 'a phrase means the words apart');
    // A vault that writes the words apart more is searched for them apart.
    for (const [p, text] of Object.entries({ 'a.md': '# A\n\nThe time zone of Paris.\n', 'b.md': '# B\n\nPick a time zone.\n', 'c.md': '# C\n\nEach time zone has a name.\n' })) writeFileSync(join(root, p), text);
    await v.indexRoots([root]);
    assert.deepEqual(notesOf(v.searchLexical('time zone', { limit: 10 })).sort(), ['a.md', 'b.md', 'c.md', 'game.md']);
  }));

test('pasted text: at most 8 words of a query are looked up for other words (bounded cost)', () =>
  withNotes({ 'd.md': '# D\n\nOpen the directory.\n' }, (v) => {
    const eight = 'picture app quit stop settings flag terminal email';
    assert.deepEqual(notesOf(v.searchLexical(`folder ${eight}`)), ['d.md'], 'folder, looked up first, finds directory');
    assert.deepEqual(notesOf(v.searchLexical(`${eight} folder`)), [], 'the ninth listed word is searched as it is');
  }));

test('Korean: a word is found in the vault\'s spelling or word for it, particles and all (폴더를 -> 디렉토리를, 삭제 -> 제거)', () =>
  withNotes({
    'rmdir.md': '# rmdir\n\n빈 디렉토리를 제거합니다.\n',
    'mkdir.md': '# mkdir\n\n새 디렉토리를 만듭니다.\n',
    'cp.md': '# cp\n\n디렉토리를 복사합니다.\n',
    'rm.md': '# rm\n\n파일을 제거합니다.\n',
    'garden.md': '# 정원\n\n잡초를 삭제합니다.\n',
  }, (v) => {
    const hits = v.searchLexical('폴더를 삭제하려면', { limit: 10 });
    assert.equal(hits[0]?.path, 'rmdir.md', notesOf(hits).join(', '));
    assert.match(hits[0]!.snippet, /«디렉토리를» «제거합니다»/);
    assert.deepEqual(notesOf(v.searchLexical('"폴더"')), [], 'a quoted word means that word');
  }));

test('Chinese: a word the pages say another way is found in their word (文件夹 -> 目录, 电脑 -> 计算机), a cut word as one term (real tldr pages)', async () => {
  const t = tempDir('cv-zhsyn-');
  try {
    const langs = extractCjkPages(t.dir, ['common/rmdir', 'common/rm', 'common/ls', 'windows/shutdown', 'linux/reboot'].map((p) => `zh/${p}.md`));
    const v = Vault.open(join(t.dir, 'v.db'));
    try {
      await v.indexRoots([langs['zh']!]);
      const order = (q: string): string[] => notesOf(v.searchLexical(q, { limit: 10 }));
      // No page says 文件夹 ("folder", cut by ICU into 文件|夹); they say 目录 ("directory").
      assert.deepEqual(order('"文件夹"'), [], 'a quoted word means that word');
      const folder = order('怎么删除文件夹');
      assert.deepEqual(folder.slice(0, 2).sort(), ['common/rm.md', 'common/rmdir.md'], `the pages that delete directories lead: ${folder.join(', ')}`);
      assert.match(v.searchLexical('怎么删除文件夹', { limit: 1 })[0]!.snippet, /«目录»/);
      // shutdown.md says 重启当前计算机 ("restart the current computer").
      assert.equal(order('重启电脑')[0], 'windows/shutdown.md');
    } finally {
      v.close();
    }
  } finally {
    t.cleanup();
  }
});

test('a Chinese word the segmenter does not know finds the pages whose words start with its characters, below exact words (real tldr pages)', async () => {
  const t = tempDir('cv-oov-');
  try {
    const langs = extractCjkPages(t.dir, ['android/screencap', 'linux/flameshot', 'windows/cls', 'common/clear', 'common/tar', 'common/ls'].map((p) => `zh/${p}.md`));
    const v = Vault.open(join(t.dir, 'v.db'));
    try {
      await v.indexRoots([langs['zh']!]);
      const order = (q: string): string[] => notesOf(v.searchLexical(q, { limit: 10 }));
      // ICU cuts the query 截屏 ("screenshot") into 截|屏, while screencap.md says 屏幕|截|图
      // ("screen", "cut", "picture"): its 屏 is only found at the start of 屏幕.
      const shot = order('截屏');
      assert.equal(shot[0], 'linux/flameshot.md', `both characters as words (全|屏|截|图) rank first: ${shot.join(', ')}`);
      assert.ok(shot.indexOf('android/screencap.md') !== -1 && shot.indexOf('android/screencap.md') < shot.indexOf('windows/cls.md'),
        `a page with 截 and 屏幕 ranks above one with 屏 alone (清|屏): ${shot.join(', ')}`);
      assert.ok(shot.indexOf('windows/cls.md') < shot.indexOf('common/clear.md'),
        `an exact word ranks above a word that only starts with the character (clear.md: 屏幕): ${shot.join(', ')}`);
      assert.ok(!shot.includes('common/tar.md') && !shot.includes('common/ls.md'), shot.join(', '));
      const hit = v.searchLexical('截屏', { limit: 10 }).find((h) => h.path === 'android/screencap.md')!;
      assert.match(hit.snippet, /«屏幕»/, 'the word that matched is highlighted whole');
      // 屏显 ("on-screen display"), also unknown: screencap.md holds neither character as a word,
      // only 屏幕 and 显示.
      assert.ok(order('屏显').includes('android/screencap.md'), order('屏显').join(', '));
      // Explicit syntax keeps its exact meaning: no words starting with the characters.
      assert.deepEqual(order('"截屏"'), [], 'no page has the phrase 截屏');
      assert.ok(!order('截 屏').includes('common/clear.md'), 'characters typed as separate words are words');
      assert.deepEqual(order('AND 截屏'), ['linux/flameshot.md'], 'AND: every word, no partial matches');
    } finally {
      v.close();
    }
  } finally {
    t.cleanup();
  }
});

test('a word typed with a slip finds the word the vault uses, also while typed; English words, quoted words and words the vault holds are meant as typed', () =>
  withNotes({
    'password.md': '# Reset your password\n\nOpen Settings and choose a new password.\n',
    'passport.md': '# Travel\n\nKeep your passport safe.\n',
    'floor.md': '# Floor plan\n\nThe floor of the office.\n',
    'theme.md': '# Change the theme\n\nYou can change the colours at any time.\n',
    'chage.md': '# chage\n\nChange when a user password expires, with chage.\n',
    'ffmpeg.md': '# ffmpeg\n\nConvert a video from one container to another.\n',
  }, (v) => {
    const first = v.searchLexical('pasword', { limit: 5 });
    assert.deepEqual(notesOf(first).sort(), ['chage.md', 'password.md'], 'the notes saying password, not passport');
    assert.equal(first[0]!.path, 'password.md');
    assert.match(first[0]!.snippet, /«password»/, 'the word it matched is marked');
    assert.equal(v.searchLexical('how do I reset my pasword', { limit: 5 })[0]?.path, 'password.md');
    // A swap is the likelier slip, and of two words one swap or one letter away the commoner wins.
    assert.equal(v.searchLexical('chnage theme', { limit: 5 })[0]?.path, 'theme.md');
    // A word of the vault that is no English word is a word too: a command's name.
    assert.deepEqual(notesOf(v.searchLexical('ffmpg', { limit: 5 })), ['ffmpeg.md']);
    // Meant as typed: an English word the vault never uses (not "floor"), a quoted word, and a
    // word the vault holds (chage is not changed into change).
    assert.deepEqual(v.searchLexical('flooding', { limit: 5 }), []);
    assert.deepEqual(v.searchLexical('"pasword"', { limit: 5 }), []);
    assert.deepEqual(notesOf(v.searchLexical('chage', { limit: 5 })), ['chage.md']);
    // Search Vault types the last word as a prefix: a slip there is corrected once no word of
    // the vault starts with it, and a word some vault word starts with stays a prefix.
    assert.equal(v.searchLexical('pasword', { limit: 5, prefixLast: true })[0]?.path, 'password.md');
    assert.equal(v.searchLexical('passp', { limit: 5, prefixLast: true })[0]?.path, 'passport.md');
  }));

test('a slip is corrected against the vault as it is now, not as it was when first asked', () =>
  withNotes({ 'strings.md': '# Strings\n\nA string holds text.\n' }, async (v, root) => {
    assert.deepEqual(notesOf(v.searchLexical('strng', { limit: 5 })), ['strings.md']);
    // "strong" is as near to "strng" as "string" is, and now more notes use it.
    writeFileSync(join(root, 'coffee.md'), '# Coffee\n\nA strong coffee.\n');
    writeFileSync(join(root, 'tea.md'), '# Tea\n\nA strong tea.\n');
    await v.indexRoots([root]);
    assert.deepEqual(notesOf(v.searchLexical('strng', { limit: 5 })).sort(), ['coffee.md', 'tea.md'], 'the same connection sees the index change');
    // Once a note uses the word itself, it is meant as typed.
    writeFileSync(join(root, 'abbrev.md'), '# Abbreviations\n\nWe write strng for short.\n');
    await v.indexRoots([root]);
    assert.deepEqual(notesOf(v.searchLexical('strng', { limit: 5 })), ['abbrev.md']);
  }));

test('neighbouring words also match the acronym the vault defines for them, and only such an acronym', () =>
  withNotes({
    'glossary.md': '# Glossary\n\nCORS: Cross-Origin Resource Sharing, how a browser lets a page call another origin.\n',
    'server.md': '# Server setup\n\nTurn on CORS for the API routes with one line of middleware.\n',
    'travel.md': '# Travel\n\nCrossing the border: the origin of the luggage, shared resources on the train.\n',
    'names.md': '# Names\n\nCor is a given name.\n',
    'cats.md': '# Cats\n\nEvery cat has an owner.\n',
  }, (v) => {
    const order = notesOf(v.searchLexical('cross origin resource sharing middleware', { limit: 10 }));
    assert.equal(order[0], 'server.md', `the note saying CORS and middleware holds every word: ${order.join(', ')}`);
    assert.ok(order.indexOf('glossary.md') < order.indexOf('travel.md'), order.join(', '));
    // "cat owner rules" has the initials of a word the vault holds (cor), but no note defines them.
    assert.ok(!notesOf(v.searchLexical('cat owner rules', { limit: 10 })).includes('names.md'));
    // A quoted phrase keeps its words: the note that writes them out leads.
    assert.equal(v.searchLexical('"cross origin resource sharing" middleware', { limit: 10 })[0]?.path, 'glossary.md');
    // So do words quoted one by one: each means that word alone.
    assert.notEqual(v.searchLexical('"cross" "origin" "resource" "sharing" middleware', { limit: 10 })[0]?.path, 'server.md');
  }));

test('a word most chunks of a large vault hold still counts for the share of the query a chunk holds, and fills the list when the other words run out', () => {
  const notes: Record<string, string> = {
    // Longer than the notes saying only "deploy": its bm25 for the word is lower, its share of the query higher.
    'a.md': '# Alpha\n\nThe project will deploy on Friday, once the team has read every open change and written the notes for the people who use it.\n',
    'c.md': '# Gamma\n\nThe project needs a rollback plan.\n',
  };
  // "project" in 12,000 of ~20,400 chunks: more than half, so bm25 gives it no weight (and the
  // vault is large enough for search to look for such words); the 8,400 chunks holding "deploy"
  // fill a page of partial matches without the chunks holding "project" alone.
  const sections = (n: number, text: (j: number) => string): string => Array.from({ length: n }, (_, j) => `## Part ${j}\n\n${text(j)}\n`).join('\n');
  for (let i = 0; i < 60; i++) notes[`filler-${i}.md`] = `# Filler ${i}\n\n${sections(200, (j) => `Another project note, number ${j}.`)}`;
  for (let i = 0; i < 42; i++) notes[`release-${i}.md`] = `# Release ${i}\n\n${sections(200, (j) => `We deploy build ${j} on Monday.`)}`;
  return withNotes(notes, (v) => {
    const chunks = v.db.get<{ n: number }>('SELECT count(*) AS n FROM chunks')!.n;
    const common = v.db.get<{ n: number }>("SELECT count(*) AS n FROM chunks_fts WHERE chunks_fts MATCH 'project'")!.n;
    assert.ok(chunks >= 20_000 && common * 2 > chunks, `the premise: ${common} of ${chunks} chunks say "project"`);
    const hits = v.searchLexical('project deploy rollback', { limit: 10 });
    const order = notesOf(hits);
    assert.deepEqual(order.slice(0, 2).sort(), ['a.md', 'c.md'], `the notes holding two of the three words lead: ${order.join(', ')}`);
    assert.ok(order.slice(2).every((p) => p.startsWith('release-')), `then the notes holding one rarer word, before those holding only the common one: ${order.join(', ')}`);
    assertScoresInOrder(hits);
    // Only one chunk holds "rollback" (and it holds both words): the list is filled with chunks holding the common word.
    const filled = v.searchLexical('project rollback', { limit: 10 });
    assert.equal(filled[0]?.path, 'c.md');
    assert.equal(filled.length, 10, notesOf(filled).join(', '));
    assert.ok(filled.slice(1).every((h) => /\bproject\b/i.test(h.snippet.replace(/[«»]/g, ''))), 'each holds the common word');
  });
});

test('a word being typed matches the words it starts, not every word sharing its first letters', () =>
  withNotes({
    'program.md': '# Program\n\nA program runs.\n',
    'process.md': '# Process\n\nA process starts.\n',
    'proposal.md': '# Proposal\n\nWrite a proposal for the budget.\n',
    'borrow.md': '# Loans\n\nYou may borrow a book.\n',
  }, (v) => {
    assert.deepEqual(notesOf(v.searchLexical('propo', { limit: 10, prefixLast: true })), ['proposal.md']);
    // A half-typed word past the index's stem (borrowi -> borrow) still finds it.
    assert.deepEqual(notesOf(v.searchLexical('borrowi', { limit: 10, prefixLast: true })), ['borrow.md']);
  }));
