// Text that came from outside the program (a model file's metadata keys, tensor names and vocabulary,
// llama.cpp's log lines, a server's answers) is shown through these functions before it reaches a
// terminal, a notification, a tooltip or the log.
//
// WHY: a terminal acts on control characters it is sent: ESC sequences set the window title, clear the
// screen or print fake coloured text; C1 controls (U+0080-U+009F) do the same on terminals that honour
// 8-bit controls; bidi overrides reorder what a reader sees (a name that displays as something else).
// So these characters are shown as visible escapes (`\x1b`, `\u202e`), never passed through, and
// untrusted strings are cut short: a 64 KiB key must not fill a screen or a notification.
// This module imports nothing: every layer (engine, CLI, views) may use it.

/** C0 controls, DEL, C1 controls. */
const CONTROL = '\\u0000-\\u001f\\u007f-\\u009f';
/** Bidi marks/overrides/isolates, zero-width and other invisible format characters, line/paragraph separators. */
const INVISIBLE = '\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2069\\ufeff\\ufff9-\\ufffb';
/** Lone UTF-16 surrogates (not valid text; a terminal shows garbage). */
const LONE_SURROGATE = '[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';

const ALL = new RegExp(`[${CONTROL}${INVISIBLE}]|${LONE_SURROGATE}`, 'g');
/** Everything but tab and newline: for multi-line text of our own (messages, model output). */
const ALL_BUT_LAYOUT = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f${INVISIBLE}]|${LONE_SURROGATE}`, 'g');
/** Only what a terminal acts on (C0 but tab/newline, DEL, C1): for generated text, where bidi marks are legitimate. */
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

const SHORT: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeChar(c: string): string {
  const short = SHORT[c];
  if (short) return short;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Cuts `s` to at most `max` characters (never inside a surrogate pair), saying how much was left out. */
export function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = Math.max(0, max);
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${s.slice(0, end)}… (${s.length - end} more characters)`;
}

/**
 * One untrusted value (a key, a tensor name, a header value), made safe to show: every control,
 * invisible or bidi character escaped (a backslash too, so escapes cannot be forged), cut to `max`.
 */
export function untrusted(s: string, max = 120): string {
  const long = s.length > max;
  let head = long ? s.slice(0, max) : s;
  if (long && /[\ud800-\udbff]$/.test(head)) head = head.slice(0, -1);
  // Cut before escaping (an escaped 64 KiB key is not worth building), then escape what is left.
  const escaped = head.replace(/\\/g, '\\\\').replace(ALL, escapeChar);
  return long ? `${escaped}… (${s.length} characters)` : escaped;
}

/** An untrusted value in double quotes, for messages: `tensor "blk.0\x1b[2J"`. */
export function quoted(s: string, max = 120): string {
  return `"${untrusted(s, max).replace(/"/g, '\\"')}"`;
}

/**
 * A whole message that may carry untrusted parts (an error from a library, a native log line):
 * controls and invisible characters escaped except tab and newline, cut to `max` characters.
 */
export function safeMessage(s: string, max = 2000): string {
  return cut(s, max).replace(ALL_BUT_LAYOUT, escapeChar);
}

/** A message for one line of output (a CLI error, a notification): newlines shown as `\n`. */
export function safeLine(s: string, max = 1000): string {
  return safeMessage(s, max).replace(/[\r\n\t]/g, escapeChar);
}

/**
 * Generated text for a terminal: what a terminal would act on (ESC, other C0 controls but tab and
 * newline, DEL, C1) is escaped; everything else, bidi marks of right-to-left text included, is kept.
 */
export function terminalText(s: string): string {
  return s.replace(TERMINAL_CONTROL, escapeChar);
}

/** JSON for a terminal: like JSON.stringify, with C1, bidi and invisible characters also written as \u escapes. */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value).replace(new RegExp(`[\\u007f-\\u009f${INVISIBLE}]`, 'g'), (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
