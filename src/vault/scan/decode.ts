// Bytes of a note -> text, or a specific reason it is not a text note we can read.
// UTF-8 (BOM stripped) and UTF-16 with a BOM are decoded; NUL bytes or many control bytes
// mean binary; anything else that is not valid UTF-8 is refused rather than guessed at
// (indexing mojibake would make search results lie about what the file says).

export type DecodeResult = { ok: true; text: string } | { ok: false; reason: 'binary' | 'not-utf8'; detail: string };

/** How much of the file the binary sniffing looks at (as git does, the head is enough). */
const SNIFF_BYTES = 8000;
/** More than this share of control bytes in the head means binary. */
const MAX_CONTROL_SHARE = 0.1;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf16le = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true });
const utf16be = new TextDecoder('utf-16be', { fatal: true, ignoreBOM: true });

/**
 * Decodes a note's bytes. On success line endings are normalised to '\n' (CRLF and lone CR
 * each end one line, as in an editor, so line numbers are unchanged).
 */
export function decodeNote(bytes: Uint8Array): DecodeResult {
  if (bytes.length >= 4 && ((bytes[0] === 0xff && bytes[1] === 0xfe && bytes[2] === 0 && bytes[3] === 0) || (bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0xfe && bytes[3] === 0xff))) {
    return { ok: false, reason: 'not-utf8', detail: 'is UTF-32 (byte order mark); save it as UTF-8' };
  }
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    const le = bytes[0] === 0xff;
    try {
      return { ok: true, text: normalizeEol((le ? utf16le : utf16be).decode(bytes.subarray(2))) };
    } catch {
      return { ok: false, reason: 'not-utf8', detail: `has a UTF-16 ${le ? 'LE' : 'BE'} byte order mark but is not valid UTF-16` };
    }
  }
  const body = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  const binary = sniffBinary(body);
  if (binary) return { ok: false, reason: 'binary', detail: binary };
  try {
    return { ok: true, text: normalizeEol(utf8.decode(body)) };
  } catch {
    return { ok: false, reason: 'not-utf8', detail: describeInvalidUtf8(body) };
  }
}

export function normalizeEol(text: string): string {
  return text.indexOf('\r') >= 0 ? text.replace(/\r\n?/g, '\n') : text;
}

function sniffBinary(bytes: Uint8Array): string | undefined {
  const n = Math.min(bytes.length, SNIFF_BYTES);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0) return `contains NUL bytes (first at byte ${i}): a binary file, or UTF-16 without a byte order mark`;
    // Tab, LF, VT, FF, CR and ESC (terminal colour codes in pasted logs) are normal in text.
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0b && b !== 0x0c && b !== 0x0d && b !== 0x1b) || b === 0x7f) control++;
  }
  if (n > 0 && control / n > MAX_CONTROL_SHARE) return `${Math.round((control / n) * 100)}% of its first ${n} bytes are control characters: a binary file`;
  return undefined;
}

/** Finds the first invalid UTF-8 sequence (only on the failure path) to say where it is. */
function describeInvalidUtf8(bytes: Uint8Array): string {
  let line = 1;
  let lineStart = 0;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let len = 0;
    if (b < 0x80) len = 1;
    else if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b >= 0xe0 && b <= 0xef) len = 3;
    else if (b >= 0xf0 && b <= 0xf4) len = 4;
    let valid = len > 0 && i + len <= bytes.length;
    for (let k = 1; valid && k < len; k++) valid = (bytes[i + k]! & 0xc0) === 0x80;
    if (valid && len === 3) {
      const b1 = bytes[i + 1]!;
      valid = !(b === 0xe0 && b1 < 0xa0) && !(b === 0xed && b1 >= 0xa0);
    } else if (valid && len === 4) {
      const b1 = bytes[i + 1]!;
      valid = !(b === 0xf0 && b1 < 0x90) && !(b === 0xf4 && b1 >= 0x90);
    }
    if (!valid) {
      const hex = b.toString(16).toUpperCase().padStart(2, '0');
      const hint = b >= 0x80 ? ' (likely Latin-1/Windows-1252; re-save it as UTF-8)' : '';
      return `not valid UTF-8: byte 0x${hex} at line ${line} (byte ${i - lineStart + 1} of the line)${hint}`;
    }
    if (b === 0x0a) {
      line++;
      lineStart = i + 1;
    }
    i += len;
  }
  return 'not valid UTF-8';
}
