// The engine as the application layer sees it: the calls its services make, and nothing else. The
// worker's composition root (src/worker/compose.ts) builds the one engine client and passes it in;
// no service creates or finds an engine by itself.
import type { EngineClient } from '../../engine/client/engineClient';

export type Engine = Pick<EngineClient,
  'running' | 'loadModel' | 'reloadModel' | 'unloadModel' | 'embed' | 'chat' | 'countTokens' | 'memory' | 'configure' | 'onEvent' | 'dispose'>;

export type { ModelHandle } from '../../engine/client/engineClient';
