// Words that name the same thing: the everyday word a newcomer types and the word documentation
// uses for it ("folder" / "directory", "picture" / "image"), and British and American spellings.
// Lexical search lets a plain query word also match the words of its group that the vault uses
// more than the word itself (vaultVocabulary.ts), so the vault's own vocabulary decides.
//
// How the list was chosen: only words that mean the same thing wherever software is documented,
// whatever the vault is about, written from general usage and reviewed word by word. Left out:
// words whose other sense is common in software writing itself (run, program, root, kill,
// process, print, list, start, switch, little, page) or in everyday notes (temp, max), brand and
// tool names, and words that are merely related (error / exception, compress / zip, install /
// setup). Some listed words still have other everyday senses (drive, show, flag); the vault's
// counts choose only which spelling of a meaning it uses, they do not tell senses apart.

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
statistics stats
authentication auth
database db
`;

// Chinese (simplified) and Japanese, chosen the same way; Japanese katakana words are also
// written with and without their final long-vowel mark (フォルダー / フォルダ), as the two
// spellings are both in common use.
const GROUPS_ZH = `
文件夹 目录
删除 移除
图片 图像 照片
设置 配置
查找 搜索
修改 更改 编辑
电脑 计算机
硬盘 磁盘
密码 口令
终端 控制台
视频 影片
创建 新建
复制 拷贝
重命名 改名
解压 解压缩
重启 重新启动
链接 网址
教程 指南
示例 例子 样例
管理员 超级用户
快捷键 热键
邮件 电子邮件
升级 更新
检查 验证 校验
`;

const GROUPS_JA = `
フォルダ フォルダー ディレクトリ ディレクトリー
削除 消去
画像 写真
再起動 リブート
ターミナル 端末 コンソール
ユーザー ユーザ
サーバー サーバ
ブラウザー ブラウザ
コンピューター コンピュータ パソコン
メモリー メモリ
アプリ アプリケーション
動画 ビデオ 映像
メール 電子メール
`;

// Korean, chosen the same way, with the spellings in common use beside the standard one
// (디렉터리 / 디렉토리, 애플리케이션 / 어플리케이션, 메시지 / 메세지). Looked up by the word's stem
// (particles off: 폴더를 -> 폴더), matched with particles as a prefix.
const GROUPS_KO = `
폴더 디렉터리 디렉토리
삭제 제거
이미지 사진
비밀번호 암호 패스워드
재부팅 재시작
터미널 콘솔
동영상 비디오
앱 애플리케이션 어플리케이션 응용프로그램
메시지 메세지
사용자 유저
변경 수정 편집
업데이트 갱신
예제 예시 샘플
스크린샷 화면캡처
이메일 전자메일
관리자 어드민
`;

/** Each word of a group -> the group's other words. */
const OTHERS: ReadonlyMap<string, readonly string[]> = (() => {
  const m = new Map<string, string[]>();
  for (const line of [GROUPS_EN, GROUPS_ZH, GROUPS_JA, GROUPS_KO].join('\n').trim().split('\n')) {
    if (!line.trim()) continue;
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

/** True when the text is a word of some group (a Chinese or Japanese word the segmenter cuts in pieces is looked up whole). */
export function hasSynonyms(word: string): boolean {
  return synonymsOf(word).length > 0;
}
