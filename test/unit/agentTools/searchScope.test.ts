// The search tools' scope inputs: one bound and one description for the MCP `search` tool and the
// editor's codexVault_search (whose schema is static, in package.json), and a clear error for a
// wrong-typed or too long input.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SEARCH_SCOPE_INPUTS, scopeInput } from '../../../src/agentTools/searchScope';
import { repoRoot } from '../../helpers/paths';

test('codexVault_search declares pathPrefix and tag as the MCP search tool does (same bound, same description)', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    contributes: { languageModelTools: { name: string; inputSchema: { properties: Record<string, unknown>; required: string[] } }[] };
  };
  const tool = pkg.contributes.languageModelTools.find((t) => t.name === 'codexVault_search');
  assert.ok(tool);
  for (const [name, spec] of Object.entries(SEARCH_SCOPE_INPUTS)) {
    assert.deepEqual(tool.inputSchema.properties[name], { type: 'string', maxLength: spec.maxLength, description: spec.description }, name);
  }
  assert.deepEqual(tool.inputSchema.required, ['query']);
});

test('scopeInput: absent stays absent, blank is no scope, text is kept', () => {
  assert.equal(scopeInput('pathPrefix', undefined), undefined);
  assert.equal(scopeInput('tag', null), undefined);
  assert.equal(scopeInput('tag', '  '), undefined);
  assert.equal(scopeInput('pathPrefix', ' projects/ '), 'projects/');
  assert.equal(scopeInput('pathPrefix', 'p'.repeat(1000)), 'p'.repeat(1000));
});

test('scopeInput: a wrong type or a too long text is refused with the input\'s name and bound', () => {
  assert.throws(() => scopeInput('pathPrefix', 5), { message: 'pathPrefix must be a string of at most 1000 characters, got 5.' });
  assert.throws(() => scopeInput('tag', ['a', 'b']), { message: 'tag must be a string of at most 200 characters, got ["a","b"].' });
  assert.throws(() => scopeInput('tag', 't'.repeat(201)), { message: 'tag is 201 characters long; at most 200 are allowed.' });
});
