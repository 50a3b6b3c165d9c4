// The manifest format: the shipped default manifest is valid and real; malformed manifests are
// refused with a message naming each problem; unsafe file names never get through; user entries
// merge with the defaults; the JSON schema shipped for editors agrees with the validator.
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileNameProblem, modelPath, parseShardName, UnsafeFileNameError } from '../../../src/engine/models/fileNames';
import { defaultManifest, mergeManifests } from '../../../src/engine/models/manifestSources';
import { ManifestError, parseManifest, validateManifest } from '../../../src/engine/models/manifestValidate';
import { modelSize } from '../../../src/engine/models/manifestTypes';
import { repoRoot, tempDir, tinyModelSha256 } from '../../helpers/paths';

const file = (over: Record<string, unknown> = {}): Record<string, unknown> => ({ name: 'm.gguf', size: 100, sha256: tinyModelSha256, urls: ['https://example.com/m.gguf'], ...over });
const model = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'm', name: 'M', role: 'chat', quantization: 'Q4_K_M', contextLength: 4096, license: 'MIT', description: 'd', files: [file()], ...over,
});
const manifest = (models: unknown[], over: Record<string, unknown> = {}): Record<string, unknown> => ({ version: 1, models, ...over });

function issuesOf(value: unknown): string[] {
  try {
    validateManifest(value, 'test');
  } catch (err) {
    assert.ok(err instanceof ManifestError, String(err));
    return err.issues;
  }
  assert.fail('expected a ManifestError');
}

describe('default manifest', () => {
  it('is valid, has chat and embedding models, and every file has a real size and SHA-256', () => {
    const m = defaultManifest();
    assert.ok(m.models.length >= 4);
    assert.ok(m.models.some((x) => x.role === 'chat'));
    assert.ok(m.models.some((x) => x.role === 'embedding' && x.embeddingDimension));
    for (const x of m.models) {
      for (const f of x.files) {
        assert.match(f.sha256, /^[0-9a-f]{64}$/);
        assert.ok(f.size > 10_000_000, `${f.name} has a plausible size`);
        assert.ok(f.urls.every((u) => u.startsWith('https://huggingface.co/')));
        assert.ok(f.urls.every((u) => u.endsWith('/' + f.name)), `${f.name}: URL names the same file`);
      }
    }
    // Each checksum is documented with where it came from.
    const sources = readFileSync(join(repoRoot, 'src/engine/models/defaultManifest.sources.md'), 'utf8');
    for (const f of m.models.flatMap((x) => x.files)) {
      assert.ok(sources.includes(f.sha256), `${f.name}: SHA-256 documented in defaultManifest.sources.md`);
      assert.ok(sources.includes(String(f.size)), `${f.name}: size documented`);
    }
  });

  it('lists a split model with every part', () => {
    const split = defaultManifest().models.find((x) => x.files.length > 1);
    assert.ok(split);
    assert.deepEqual(split.files.map((f) => parseShardName(f.name)?.index), [1, 2]);
    assert.equal(modelSize(split), split.files[0]!.size + split.files[1]!.size);
  });
});

describe('manifest validation', () => {
  it('accepts a minimal manifest and normalizes the SHA-256 to lower case', () => {
    const m = validateManifest(manifest([model({ files: [file({ sha256: tinyModelSha256.toUpperCase() })] })]), 'test');
    assert.equal(m.models[0]!.files[0]!.sha256, tinyModelSha256);
  });

  const cases: Array<[string, unknown, RegExp]> = [
    ['not an object', [], /must be a JSON object/],
    ['missing version', { models: [] }, /version: is required/],
    ['future version', manifest([], { version: 2 }), /unsupported manifest version 2/],
    ['models not an array', { version: 1, models: {} }, /models: must be an array/],
    ['unknown top-level key', manifest([], { extra: 1 }), /unknown property "extra"/],
    ['unknown model key (typo)', manifest([model({ contextLenght: 1 })]), /models\[0\]: unknown property "contextLenght"/],
    ['missing id', manifest([model({ id: undefined })]), /models\[0\]\.id: is required/],
    ['bad id', manifest([model({ id: 'Bad Id!' })]), /models\[0\]\.id: must be 1-80 characters/],
    ['bad role', manifest([model({ role: 'vision' })]), /models\[0\]\.role: must be "chat" or "embedding", got "vision"/],
    ['embedding without dimension', manifest([model({ role: 'embedding' })]), /embeddingDimension: is required for an embedding model/],
    ['chat with dimension', manifest([model({ embeddingDimension: 384 })]), /embeddingDimension: is only for embedding models/],
    ['zero context', manifest([model({ contextLength: 0 })]), /contextLength: must be a positive integer, got 0/],
    ['no files', manifest([model({ files: [] })]), /files: must be a non-empty array/],
    ['missing sha256', manifest([model({ files: [file({ sha256: undefined })] })]), /files\[0\]\.sha256: is required \(a model without a known checksum cannot be verified\)/],
    ['short sha256', manifest([model({ files: [file({ sha256: 'abc' })] })]), /files\[0\]\.sha256: must be 64 hexadecimal characters, got "abc"/],
    ['fractional size', manifest([model({ files: [file({ size: 1.5 })] })]), /files\[0\]\.size: must be a positive integer, got 1.5/],
    ['no urls', manifest([model({ files: [file({ urls: [] })] })]), /files\[0\]\.urls: must be a non-empty array of URLs/],
    ['file: URL', manifest([model({ files: [file({ urls: ['file:///etc/passwd'] })] })]), /urls\[0\]: must be an http or https URL, got "file:"/],
    ['credentials in URL', manifest([model({ files: [file({ urls: ['https://user:pw@example.com/m.gguf'] })] })]), /must not contain a user name or password/],
    ['duplicate ids', manifest([model(), model({ files: [file({ name: 'other.gguf' })] })]), /duplicate model id "m"/],
    ['same file, different bytes', manifest([model(), model({ id: 'n', files: [file({ sha256: 'ab'.repeat(32) })] })]), /file "m.gguf" of "n" has a different size or SHA-256/],
    ['incomplete split', manifest([model({ files: [file({ name: 'x-00001-of-00002.gguf' })] })]), /is part 1 of 2: list all 2 parts/],
    ['split out of order', manifest([model({ files: [file({ name: 'x-00002-of-00002.gguf' }), file({ name: 'x-00001-of-00002.gguf' })] })]), /expected part 1 of 2 of "x", got "x-00002-of-00002.gguf"/],
    ['several files not split parts', manifest([model({ files: [file({ name: 'a.gguf' }), file({ name: 'b.gguf' })] })]), /must list split GGUF parts/],
  ];
  for (const [label, value, pattern] of cases) {
    it(`refuses ${label}`, () => {
      const issues = issuesOf(value);
      assert.ok(issues.some((i) => pattern.test(i)), `${label}: ${JSON.stringify(issues)}`);
    });
  }

  it('reports every problem at once', () => {
    const issues = issuesOf(manifest([model({ role: 'x', contextLength: -1, files: [file({ sha256: 'no', name: '../x.gguf' })] })]));
    assert.ok(issues.length >= 4, JSON.stringify(issues));
  });

  it('reports JSON syntax errors with the source name', () => {
    assert.throws(() => parseManifest('{"version": 1, "models": [', 'my.json'), (e: unknown) => e instanceof ManifestError && /Invalid model manifest \(my\.json\): not valid JSON/.test(e.message));
  });

  it('refuses path traversal and other unsafe file names in a manifest', () => {
    for (const name of ['../../.bashrc.gguf', '/abs/x.gguf', 'a/b.gguf', 'a\\b.gguf', 'C:x.gguf', '.x.gguf', 'x.gguf ', 'CON.gguf', 'x\u0000.gguf', 'x.exe', 'x'.repeat(300) + '.gguf']) {
      const issues = issuesOf(manifest([model({ files: [file({ name })] })]));
      assert.ok(issues.some((i) => i.startsWith('models[0].files[0].name:')), `${JSON.stringify(name)}: ${JSON.stringify(issues)}`);
    }
  });
});

describe('file names', () => {
  it('accepts plain GGUF names and split parts', () => {
    assert.equal(fileNameProblem('qwen2.5-0.5b-instruct-q4_k_m.gguf'), undefined);
    assert.equal(fileNameProblem('nomic-embed-text-v1.5.Q8_0.gguf'), undefined);
    assert.deepEqual(parseShardName('a-00002-of-00003.gguf'), { stem: 'a', index: 2, count: 3 });
    assert.equal(parseShardName('a.gguf'), undefined);
  });

  it('modelPath keeps every path inside the models folder', () => {
    const t = tempDir();
    try {
      assert.equal(modelPath(t.dir, 'a.gguf'), join(t.dir, 'a.gguf'));
      assert.throws(() => modelPath(t.dir, '../a.gguf'), UnsafeFileNameError);
      assert.throws(() => modelPath(t.dir, '/tmp/a.gguf'), /must be a plain file name/);
    } finally {
      t.cleanup();
    }
  });
});

describe('merging manifests', () => {
  it('adds settings entries and a manifest file; a later source overrides an id; problems do not hide the defaults', async () => {
    const t = tempDir();
    try {
      const userFile = join(t.dir, 'models.json');
      writeFileSync(userFile, JSON.stringify(manifest([model({ id: 'qwen2.5-0.5b-instruct-q4_k_m', name: 'Mine', files: [file({ name: 'mine.gguf' })] })])));
      const merged = await mergeManifests({ settingsEntries: [model({ id: 'from-settings', files: [file({ name: 's.gguf' })] })], manifestFile: userFile });
      assert.deepEqual(merged.problems, []);
      const byId = new Map(merged.models.map((s) => [s.model.id, s]));
      assert.equal(byId.get('from-settings')?.origin, 'settings');
      assert.equal(byId.get('qwen2.5-0.5b-instruct-q4_k_m')?.model.name, 'Mine');
      assert.equal(byId.get('qwen2.5-0.5b-instruct-q4_k_m')?.overrides, 'default');

      writeFileSync(userFile, '{ not json');
      const broken = await mergeManifests({ manifestFile: userFile, settingsEntries: [{ id: 'x' }] });
      assert.equal(broken.problems.length, 2);
      assert.match(broken.problems[0]!, /settings codexVault\.extraModels/);
      assert.match(broken.problems[1]!, /not valid JSON/);
      assert.equal(broken.models.length, defaultManifest().models.length, 'the defaults are still listed');
    } finally {
      t.cleanup();
    }
  });

  it('skips a user model that names a default file with different bytes', async () => {
    const merged = await mergeManifests({ settingsEntries: [model({ id: 'evil', files: [file({ name: 'qwen2.5-0.5b-instruct-q4_k_m.gguf', size: 491400032, sha256: 'ab'.repeat(32) })] })] });
    assert.equal(merged.models.some((s) => s.model.id === 'evil'), false);
    assert.match(merged.problems.join('\n'), /"evil" \(settings\) was skipped/);
  });
});

describe('manifest.schema.json', () => {
  const schema = JSON.parse(readFileSync(join(repoRoot, 'src/engine/models/manifest.schema.json'), 'utf8')) as {
    required: string[];
    $defs: { model: { required: string[]; properties: Record<string, unknown> }; file: { required: string[]; properties: Record<string, { pattern?: string }> } };
  };

  it('names the same properties and requirements as the validator', () => {
    assert.deepEqual(schema.required, ['version', 'models']);
    assert.deepEqual([...schema.$defs.model.required].sort(), ['contextLength', 'description', 'files', 'id', 'license', 'name', 'quantization', 'role']);
    assert.deepEqual(Object.keys(schema.$defs.model.properties).sort(), ['architecture', 'contextLength', 'description', 'embeddingDimension', 'files', 'id', 'license', 'name', 'provenance', 'quantization', 'role']);
    assert.deepEqual([...schema.$defs.file.required].sort(), ['name', 'sha256', 'size', 'urls']);
  });

  it("its file-name pattern accepts the default manifest's names and rejects traversal", () => {
    const re = new RegExp(schema.$defs.file.properties.name!.pattern!);
    for (const f of defaultManifest().models.flatMap((m) => m.files)) assert.match(f.name, re);
    for (const bad of ['../x.gguf', 'a/b.gguf', '.x.gguf', 'x.bin']) assert.doesNotMatch(bad, re);
  });
});
