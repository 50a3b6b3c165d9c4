// The Search Vault quick pick's mode. The setting codexVault.search.mode is the default; the title
// button switches the mode for this window's session only (it never writes the setting and is not
// remembered across reloads), and a change of the setting wins again. Plain TypeScript, unit-tested.
export type SearchModeSetting = 'lexical' | 'hybrid';

export class SessionSearchMode {
  private toggled: SearchModeSetting | undefined;

  constructor(private readonly setting: () => SearchModeSetting) {}

  get current(): SearchModeSetting {
    return this.toggled ?? this.setting();
  }

  /** The title button: the other mode, for the rest of this session. */
  toggle(): SearchModeSetting {
    this.toggled = this.current === 'lexical' ? 'hybrid' : 'lexical';
    return this.toggled;
  }

  /** codexVault.search.mode changed: the setting decides again. */
  settingChanged(): void {
    this.toggled = undefined;
  }
}
