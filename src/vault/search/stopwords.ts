// Words a query can do without: function words and question words, per language.
//
// How the lists were chosen: only closed-class words, the ones a language has a fixed set of
// (articles, pronouns, auxiliaries and modal verbs, prepositions/particles, conjunctions,
// question words, politeness and sentence-final particles), taken from the common short
// stopword lists of each language (for English the intersection of the Lucene/Snowball and
// NLTK lists, plus the indefinite pronouns and "else", which a question uses for what it cannot
// name yet: "run something as admin", "someone else's project"; for Chinese and Japanese the
// words ICU's segmenter splits questions into, for Korean the question words and auxiliary endings left after particles are stripped, for Thai
// the PyThaiNLP list's most frequent function words). No noun, verb or adjective that carries a
// topic is listed ("use", "file", "make" stay), so no list fits one vault's subject; words that
// are merely frequent in a vault are handled by bm25's IDF instead.
//
// ICU splits a Japanese verb into its stem and inflection pieces (止まった -> 止, まっ, た); the
// pieces are listed with the particles.
//
// A word's list is chosen by its script: Hangul -> Korean, Thai -> Thai, Han and kana -> Chinese
// and Japanese together (a Han word may be either), anything else -> English.

const EN = `
a an the this that these those some any each every either neither such
i me my mine myself we us our ours ourselves you your yours yourself he him his she her hers it its itself
they them their theirs what which who whom whose how why when where there here
am is are was were be been being do does did doing have has had having
can could shall should will would may might must
of in on at by for with about into onto through during before after between to from than
and or but if because as until while so nor then also too very just only not no
s t d ll m re ve don doesn didn isn aren wasn weren hasn haven hadn won wouldn shouldn couldn cannot
something someone somebody anything anyone anybody everything everyone everybody nothing nobody else
`;

const ZH = `
的 地 得 了 着 过 是 在 和 与 及 或 或者 而 并 也 都 就 还 又 吗 呢 吧 啊 呀 嘛
我 你 您 他 她 它 我们 你们 他们 她们 它们 自己 这 那 这个 那个 这些 那些 这样 那样 这里 那里 这儿 那儿
什么 怎么 怎样 怎么样 如何 为什么 为何 哪 哪个 哪些 哪里 哪儿 谁 多少 几 是否 是不是
能 能够 可以 可 会 要 想 应该 应当 一个 一下 一些 有 没有 没 不 把 被 给 对 从 到 向 于 以 让
我想 我的 你的 他的 她的 我要 该 再 先 里 上 中
`;

const JA = `
の に は を が で と へ や も か な ね よ から まで より など ので のに けど けれど ば て た だ
です ます でし まし ませ ん ない ず ぬ う よう ように たい たく れる られる せる させる
する し す さ せ れ れば いる い いた ある あり あっ なる なり なっ おり こと もの ところ
これ それ あれ この その あの ここ そこ あそこ こちら そちら
私 僕 俺 あなた 彼 彼女 我々 私たち
何 なに なん どう どうやって どのように どの どれ どこ いつ なぜ 誰 いくつ どんな どちら
ください 下さい いい 良い できる でき 出来る
って っ まっ した しく たか かけ め り れる られ
`;

const KO = `
어떻게 어떤 무엇 무슨 뭐 뭘 어디 어디서 언제 왜 누가 누구 어느 얼마나 몇
나 내 저 제 우리 저희 너 당신 그 이 것 거 수 및 또는 그리고 하지만 그러나 또
있나요 있어요 있습니까 있는지 있을까요 하나요 합니까 해요 하죠 할까요 되나요 됩니까 인가요 입니까 인지
싶어요 싶습니다 싶은데 주세요 알려주세요
은 는 가 을 를 에 의 도 만 로 와 과 랑 요 에서 에게 으로 까지 부터 보다 처럼 한테 께서 하고 이나 이랑 라고
`;

const TH = `
ที่ ซึ่ง อัน และ กับ หรือ แต่ ของ ใน บน จาก ถึง โดย เพื่อ ให้ ได้ มี เป็น คือ ว่า จะ ไม่ ก็ แล้ว
นี้ นั้น ไป มา อยู่ อย่าง ความ การ ทำ ต้อง ควร ฉัน ผม เรา คุณ เขา มัน
อะไร อย่างไร ยังไง ทำไม ที่ไหน เมื่อไร เมื่อไหร่ ใคร ไหน ไหม มั้ย หรือไม่ บ้าง ครับ ค่ะ คะ นะ
`;

const set = (s: string): ReadonlySet<string> => new Set(s.split(/\s+/).filter(Boolean));

const LISTS = {
  en: set(EN),
  cjk: new Set([...set(ZH), ...set(JA)]),
  ko: set(KO),
  th: set(TH),
} as const;

const HANGUL = /\p{Script=Hangul}/u;
const THAI = /\p{Script=Thai}/u;
const CJK = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}]/u;

const ACCENTED_SCRIPTS = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}]/u;

/**
 * Lower case, and without accents where the index drops them (unicode61's remove_diacritics: Latin,
 * Greek, Cyrillic). Other scripts keep their marks: a Thai vowel sign or a Japanese voicing mark
 * (ダ, not タ) is part of the word.
 */
export function foldCase(word: string): string {
  const lower = word.toLowerCase();
  return ACCENTED_SCRIPTS.test(lower) ? lower.normalize('NFD').replace(/\p{M}+/gu, '').normalize('NFC') : lower;
}

/** True for a function word or question word of the word's language (`word` is one token). */
export function isStopword(word: string): boolean {
  if (HANGUL.test(word)) return LISTS.ko.has(word);
  if (THAI.test(word)) return LISTS.th.has(word);
  if (CJK.test(word)) return LISTS.cjk.has(word);
  return LISTS.en.has(foldCase(word));
}
