// Drives the code-server workbench in Debian's Chromium (playwright-core; never a downloaded browser)
// the way a person does: command palette, quick picks, status bar, editors, webviews, screenshots.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type FrameLocator, type Locator, type Page } from 'playwright-core';
import type { CodeServer } from './codeServer';
import { resultsDir } from './codeServer';

export const CHROMIUM = process.env.CODEX_VAULT_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** Where the extension's status bar item lives in the DOM (id: <extension id>.<item id>). */
export const VAULT_STATUS = '[id="codex-vault.codex-vault.codexVault.status"]';

export class Workbench {
  private constructor(readonly browser: Browser, readonly context: BrowserContext, readonly page: Page, readonly server: CodeServer) {}

  /** Launches Chromium and opens the workbench on `folder` (default: the server's workspace). */
  static async open(server: CodeServer, folder = server.workspace): Promise<Workbench> {
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const wb = new Workbench(browser, context, page, server);
    try {
      await wb.load(folder);
    } catch (err) {
      // A browser left running keeps the test process alive after its tests have failed.
      await wb.close();
      throw err;
    }
    return wb;
  }

  /** (Re)loads the workbench page: a window reload, as Developer: Reload Window does. */
  async load(folder = this.server.workspace): Promise<void> {
    // A loaded machine can take well over Playwright's default 30 s to serve the workbench.
    await this.page.goto(`${this.server.url}/?folder=${encodeURIComponent(folder)}`, { timeout: 90_000 });
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    // The status bar renders once the workbench has restored its parts.
    await this.page.locator('#workbench\\.parts\\.statusbar').waitFor({ timeout: 60_000 });
    // Codex Vault activates on start-up finished; its status bar item says its commands are registered
    // (a palette opened before that would list none of them).
    if (this.waitForExtension) await this.page.locator(VAULT_STATUS).waitFor({ state: 'attached', timeout: 90_000 });
  }

  /** Set false before load() for a window where the extension shows no status item (no folder). */
  waitForExtension = true;

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
  }

  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  get quickInputBox(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-box input');
  }

  /** Rows of the open quick pick (visible ones). */
  get quickPickRows(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  }

  /** Runs a command from the palette by its full title, e.g. "Codex Vault: Search Vault". */
  async runCommand(title: string): Promise<void> {
    await this.openPalette();
    await this.quickInputBox.fill(`>${title}`);
    const exact = new RegExp(`^\\s*${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
    const row = this.quickPickRows.filter({ has: this.page.locator('.label-name', { hasText: exact }) }).first();
    try {
      await row.waitFor({ timeout: 10_000 });
    } catch {
      // The palette lists the commands known when it opened: reopen it once.
      await this.page.keyboard.press('Escape');
      await this.openPalette();
      await this.quickInputBox.fill(`>${title}`);
      await row.waitFor({ timeout: 20_000 });
    }
    await row.click();
  }

  /** The command palette's rows for a query, e.g. to check which commands are offered. */
  async paletteTitles(query: string): Promise<string[]> {
    await this.openPalette();
    await this.quickInputBox.fill(`>${query}`);
    await this.page.waitForTimeout(400); // the palette's own debounce; no assertion on time
    const titles = await this.quickPickRows.locator('.label-name').allTextContents();
    await this.page.keyboard.press('Escape');
    return titles.map((t) => t.replace(/\s+/g, ' ').trim());
  }

  async openPalette(): Promise<void> {
    await this.page.locator('.monaco-workbench').click({ position: { x: 700, y: 450 } }).catch(() => undefined);
    await this.page.keyboard.press('F1');
    await this.quickInputBox.waitFor({ state: 'visible', timeout: 10_000 });
  }

  async focusedRowText(): Promise<string | undefined> {
    const t = await this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused .label-name').first().textContent().catch(() => null);
    return t?.replace(/\s+/g, ' ').trim();
  }

  /** Types into the open quick pick (replacing its value). */
  async typeInQuickPick(text: string): Promise<void> {
    await this.quickInputBox.fill(text);
  }

  /** Opens a file of the workspace through Go to File (the palette without '>') and waits for its tab. */
  async openFile(name: string): Promise<void> {
    await this.openPalette();
    await this.quickInputBox.fill(name);
    await this.waitForQuickPickRow(name);
    await this.page.keyboard.press('Enter');
    await this.page.waitForFunction((n) => (document.querySelector('.tabs-container .tab.active')?.getAttribute('aria-label') ?? '').startsWith(n), name, { timeout: 20_000 });
  }

  /**
   * Waits until the labels of a view's tree rows equal `expected`. `section`: the start of the view's
   * header label (its name; a view's description, when set, follows it in the label).
   */
  async waitForTreeLabels(section: string, expected: readonly string[], timeoutMs = 30_000): Promise<void> {
    const read = (): Promise<string[]> => this.page.evaluate((sec) => {
      const header = document.querySelector(`.pane-header[aria-label^="${sec}"]`);
      return [...(header?.closest('.pane')?.querySelectorAll('.monaco-list-row .label-name') ?? [])].map((e) => (e.textContent ?? '').trim());
    }, section);
    const deadline = Date.now() + timeoutMs;
    let last: string[] = [];
    while (Date.now() < deadline) {
      // Read in one go: the tree re-renders.
      last = await read();
      if (JSON.stringify(last) === JSON.stringify(expected)) return;
      await this.page.waitForTimeout(200);
    }
    assert.deepEqual(last, expected, `rows of ${section}`);
  }

  /** Waits for a quick pick row whose text (label, description or detail) contains `text`. */
  async waitForQuickPickRow(text: string, timeoutMs = 20_000): Promise<Locator> {
    const row = this.quickPickRows.filter({ hasText: text }).first();
    await row.waitFor({ timeout: timeoutMs });
    return row;
  }

  /**
   * Accepts `path` in VS Code's simple open dialog (a quick input with a path box). The dialog fills
   * its box with its start folder only once it has listed that folder, overwriting anything typed
   * before, so wait for that first; then type the path, wait until the listing shows `fileName` and
   * the box still holds the path, press Enter, and do it all again when the dialog is still open (an
   * Enter that lands while the listing re-renders is swallowed).
   */
  async acceptPathInOpenDialog(path: string, fileName: string): Promise<void> {
    await this.page.waitForFunction(
      () => ((document.querySelector('.quick-input-widget .quick-input-box input') as HTMLInputElement | null)?.value ?? '').startsWith('/'),
      undefined,
      { timeout: 20_000 },
    ).catch(() => undefined); // a dialog that never fills its box still gets the path typed below
    let lastError: unknown;
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        await this.quickInputBox.fill(path, { timeout: 10_000 });
        await this.waitForQuickPickRow(fileName, 10_000);
        if ((await this.quickInputBox.inputValue()) !== path) continue; // overwritten while listing: type it again
        await this.page.keyboard.press('Enter');
        if (await this.quickInput.waitFor({ state: 'hidden', timeout: 10_000 }).then(() => true, () => false)) return;
      } catch (err) {
        lastError = err;
        if (await this.quickInput.isHidden()) throw err; // the dialog went away: nothing left to retry
      }
    }
    throw new Error(`the open dialog did not accept ${path}${lastError ? `: ${String(lastError)}` : ''}`);
  }

  /**
   * Selects a tree or list row with a click and presses `key` on it, until `outcome` shows. A click on
   * a row that the tree replaces at that moment selects nothing, and the key then goes elsewhere, so
   * both are repeated (up to `attempts` times) until the outcome appears.
   */
  async pressOnRow(row: Locator, key: string, outcome: Locator, attempts = 3): Promise<void> {
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      try {
        await row.click({ timeout: 10_000 });
        // The key goes to the focused row: wait until the click has selected it.
        await row.and(this.page.locator('[aria-selected="true"]')).waitFor({ timeout: 5_000 }).catch(() => undefined);
        await this.page.keyboard.press(key);
        await outcome.waitFor({ timeout: 8_000 });
        return;
      } catch (err) {
        lastError = err;
        await this.page.keyboard.press('Escape').catch(() => undefined);
      }
    }
    throw lastError instanceof Error ? lastError : new Error(`pressing ${key} on the row did not show the expected outcome`);
  }

  /**
   * Runs the context-menu entry `item` of `row` as a person does: right-click, then click the entry.
   * Tries again (after closing any menu left open) when a re-render of the tree swallowed the
   * right-click or the menu came up without the entry yet. A click on the entry that the menu does
   * not take (seen on an idle machine: the menu stays open with the entry highlighted) is followed
   * by Enter, which runs the focused entry the way a keyboard user would.
   */
  async contextMenu(row: Locator, item: string): Promise<void> {
    const menu = this.page.locator('.context-view .monaco-menu');
    for (let attempt = 0; ; attempt++) {
      try {
        await this.page.keyboard.press('Escape');
        await row.click({ button: 'right', timeout: 10_000 });
        const entry = this.page.locator('.context-view .action-item').filter({ hasText: item }).first();
        await entry.waitFor({ timeout: 10_000 });
        await entry.hover({ timeout: 10_000 });
        await entry.click({ timeout: 10_000 });
        if (await menu.waitFor({ state: 'hidden', timeout: 2_000 }).then(() => true, () => false)) return;
        const focused = await entry.evaluate((el) => el.contains(document.activeElement)).catch(() => false);
        if (!focused) throw new Error(`the context menu stayed open without "${item}" focused`);
        console.log(`contextMenu: the click on "${item}" was not taken; pressing Enter on it`);
        await this.page.keyboard.press('Enter');
        await menu.waitFor({ state: 'hidden', timeout: 5_000 });
        return;
      } catch (err) {
        if (attempt >= 2) throw err;
      }
    }
  }

  async quickPickTitle(): Promise<string> {
    return (await this.page.locator('.quick-input-widget .quick-input-title').textContent()) ?? '';
  }

  /** The vault's status bar item text (codicons excluded). */
  async vaultStatusText(): Promise<string> {
    return ((await this.page.locator(VAULT_STATUS).textContent()) ?? '').replace(/\s+/g, ' ').trim();
  }

  /** Waits until the vault's status bar item text matches; returns the text that matched. */
  async waitForVaultStatus(re: RegExp, timeoutMs = 60_000): Promise<string> {
    const handle = await this.page.waitForFunction(
      ([sel, src, flags]) => {
        const text = (document.querySelector(sel)?.textContent ?? '').replace(/\s+/g, ' ').trim();
        return new RegExp(src, flags).test(text) ? text : false;
      },
      [VAULT_STATUS, re.source, re.flags] as const,
      { timeout: timeoutMs },
    );
    return (await handle.jsonValue()) as string;
  }

  /** The editor's "Ln x, Col y" status bar entry. */
  async cursorStatus(): Promise<string> {
    return ((await this.page.locator('[id="status.editor.selection"]').textContent()) ?? '').trim();
  }

  /** Title of the active editor tab. */
  async activeTabTitle(): Promise<string> {
    return ((await this.page.locator('.tabs-container .tab.active .label-name').first().textContent()) ?? '').trim();
  }

  /** The content frame of the visible webview (webview views and panels). */
  webviewFrame(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  }

  /** Saves a PNG under test-results/ (kept as a test artifact) and returns its path. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `${name.replace(/[^a-z0-9._-]+/gi, '-')}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }
}
