// Which model the chat uses: the setting when usable, else a loaded or verified chat model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { availableModels, chooseModel, offeredModels } from '../../../src/app/models/chooseModel';
import type { ModelItem } from '../../../src/app/models/modelsTypes';

function item(over: Partial<ModelItem>): ModelItem {
  return {
    id: 'm', source: 'manifest', name: 'M', role: 'chat', path: '/models/m.gguf', state: 'verified', detail: null, sizeBytes: 100, bytesPresent: 100,
    quantization: null, description: null, license: null, download: null, fit: null, loaded: null, ...over,
  };
}

const models = [
  item({ id: 'qwen', path: '/models/qwen.gguf', state: 'not-downloaded', fit: { level: 'fits', message: 'fits' } }),
  item({ id: 'llama', path: '/models/llama.gguf' }),
  item({ id: 'local:/x/tiny.gguf', source: 'local', role: null, path: '/x/tiny.gguf', state: 'loaded' }),
  item({ id: 'embed', role: 'embedding', path: '/models/e.gguf' }),
  item({ id: 'bad', path: '/models/bad.gguf', state: 'mismatch' }),
];

test('the setting wins when it names a usable model, by id or by path', () => {
  assert.equal(chooseModel(models, 'chat', 'llama')?.id, 'llama');
  assert.equal(chooseModel(models, 'chat', '/x/tiny.gguf')?.id, 'local:/x/tiny.gguf');
  assert.equal(chooseModel(models, 'embedding', 'embed')?.id, 'embed');
});

test('without a usable setting: the loaded chat model, else the first verified; never a mismatch or a missing download', () => {
  assert.equal(chooseModel(models, 'chat', '')?.id, 'local:/x/tiny.gguf');
  assert.equal(chooseModel(models, 'chat', 'bad')?.id, 'local:/x/tiny.gguf');
  assert.equal(chooseModel(models.filter((m) => m.state !== 'loaded'), 'chat', 'qwen')?.id, 'llama');
  assert.equal(chooseModel([models[0]!, models[4]!], 'chat', ''), null);
});

test('the embedding model is only ever the one chosen', () => {
  assert.equal(chooseModel(models, 'embedding', ''), null);
  assert.equal(chooseModel(models, 'embedding', 'llama'), null);
});

test('available and offered models per role', () => {
  assert.deepEqual(availableModels(models, 'chat').map((m) => m.id), ['llama', 'local:/x/tiny.gguf']);
  assert.deepEqual(availableModels(models, 'embedding').map((m) => m.id), ['embed']);
  assert.deepEqual(offeredModels(models, 'chat').map((m) => m.id), ['qwen']);
  assert.deepEqual(offeredModels(models, 'embedding'), []);
});
