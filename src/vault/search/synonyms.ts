// Words that name the same thing: the everyday word a newcomer types and the word documentation
// uses for it ("folder" / "directory", "picture" / "image"), and British and American spellings.
// Lexical search lets a plain query word also match the words of its group that the vault uses
// more than the word itself (lexicalSearch.ts), so the vault's own vocabulary decides.
//
// How the list was chosen: only words that mean the same thing wherever software is documented,
// whatever the vault is about, written from general usage and reviewed word by word. Left out:
// any word with a common second sense (run, program, root, kill, process, print, list, start,
// switch, little, page), brand and tool names, and words that are merely related (error /
// exception, compress / zip, install / setup). English only: the other languages' words are
// matched as the segmenter cuts them.

import { foldWord } from './wordForms';

const GROUPS_EN = `
folder directory
picture image photo
delete remove erase
app application
quit exit
stop terminate halt
settings configuration config preferences
flag option
terminal console
find search locate
modify change edit alter
upgrade update
merge combine
unpack extract decompress unzip
check verify validate
disk drive
memory ram
cpu processor
audio sound
video movie
email mail
link url hyperlink
documentation docs manual
guide tutorial
example sample
empty blank
administrator admin superuser
big large huge
small tiny
fast quick speedy
show display
website site
password passphrase
wifi wireless
shortcut hotkey keybinding
screenshot screencap
reboot restart
shutdown poweroff
login logon signin
logout logoff signout
colour color
favourite favorite
behaviour behavior
licence license
centre center
grey gray
organise organize
customise customize
initialise initialize
serialise serialize
synchronise synchronize
optimise optimize
analyse analyze
cancelled canceled
permission privilege
latest newest
cursor pointer
clipboard pasteboard
trash recycle
argument parameter
repository repo
information info
temporary temp
maximum max
statistics stats
authentication auth
database db
`;

/** Each word of a group -> the group's other words. */
const OTHERS: ReadonlyMap<string, readonly string[]> = (() => {
  const m = new Map<string, string[]>();
  for (const line of GROUPS_EN.trim().split('\n')) {
    const words = line.trim().split(/\s+/);
    // Keyed by the folded form too, as a query word is looked up ("settings" -> setting).
    for (const w of words) for (const key of new Set([w, foldWord(w)])) m.set(key, [...(m.get(key) ?? []), ...words.filter((o) => o !== w)]);
  }
  return m;
})();

/** The other words for what a word names (lower case), or none; a plural is looked up as its singular. */
export function synonymsOf(word: string): readonly string[] {
  const lower = word.toLowerCase();
  return OTHERS.get(lower) ?? OTHERS.get(foldWord(lower)) ?? [];
}
