// Search Vault's mode: the title button switches it for the session only; the setting stays the
// default, and a change of the setting wins over an earlier toggle.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SessionSearchMode, type SearchModeSetting } from '../../../src/views/search/searchMode';

test('the toggle holds for the session, never overrides the setting for good', () => {
  let setting: SearchModeSetting = 'hybrid';
  const session = new SessionSearchMode(() => setting);
  assert.equal(session.current, 'hybrid');
  assert.equal(session.toggle(), 'lexical');
  assert.equal(session.current, 'lexical', 'the toggle holds while the session lasts');
  // The user changes the setting: it decides again.
  setting = 'hybrid';
  session.settingChanged();
  assert.equal(session.current, 'hybrid');
  // A new session (a reload) starts from the setting, whatever was toggled before.
  session.toggle();
  assert.equal(new SessionSearchMode(() => setting).current, 'hybrid');
});
