// The escaping every untrusted string goes through before a terminal, a notification or the log.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quoted, safeLine, safeMessage, terminalJson, terminalText, untrusted } from '../../../src/common/untrustedText';

const DANGEROUS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

describe('untrusted text', () => {
  it('escapes C0 and C1 controls, DEL, bidi overrides and invisible characters; keeps other text', () => {
    assert.equal(untrusted('a\x1b]0;title\x07b'), 'a\\x1b]0;title\\x07b');
    assert.equal(untrusted('\x9b2J\x85\x7f'), '\\x9b2J\\x85\\x7f');
    assert.equal(untrusted('evil\u202etxt.exe\u2066\u200b\ufeff'), 'evil\\u202etxt.exe\\u2066\\u200b\\ufeff');
    assert.equal(untrusted('tab\tnl\ncr\r'), 'tab\\tnl\\ncr\\r');
    assert.equal(untrusted('blk.0.attn_q.weight — ℓ 日本語 🙂'), 'blk.0.attn_q.weight — ℓ 日本語 🙂');
    // A backslash is doubled, so a file cannot forge an escape that looks like ours.
    assert.equal(untrusted('\\x1b'), '\\\\x1b');
    assert.equal(untrusted('\ud800x'), '\\ud800x', 'a lone surrogate is shown, not passed on');
  });

  it('cuts long values short, never inside a surrogate pair, and says how long they were', () => {
    const long = '\x1b[2J'.repeat(20_000);
    const shown = untrusted(long, 100);
    assert.ok(shown.length < 700);
    assert.match(shown, /… \(80000 characters\)$/);
    assert.doesNotMatch(shown, DANGEROUS);
    assert.equal(untrusted(`${'a'.repeat(9)}🙂`, 10), `${'a'.repeat(9)}… (11 characters)`);
    assert.equal(quoted('say "hi"\x1b'), '"say \\"hi\\"\\x1b"');
  });

  it('messages keep their layout (safeMessage) or become one line (safeLine)', () => {
    assert.equal(safeMessage('line 1\n\tline 2\x1b[31m'), 'line 1\n\tline 2\\x1b[31m');
    assert.equal(safeLine('line 1\nline 2\x1b'), 'line 1\\nline 2\\x1b');
    assert.match(safeMessage('x'.repeat(5000), 100), /^x{100}… \(4900 more characters\)$/);
  });

  it('generated text keeps newlines and right-to-left marks but nothing a terminal acts on', () => {
    assert.equal(terminalText('Once\nupon\ta \x1b[2Jtime\x9b\u200fשלום'), 'Once\nupon\ta \\x1b[2Jtime\\x9b\u200fשלום');
  });

  it('JSON for a terminal escapes C1, bidi and invisible characters and still parses to the same value', () => {
    const value = { name: 'a\x1b\x9b\u202e\u2028b', n: 1 };
    const json = terminalJson(value);
    assert.doesNotMatch(json, DANGEROUS);
    assert.deepEqual(JSON.parse(json), value);
  });
});
