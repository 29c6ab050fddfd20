// Layers by folder, enforced (as VS Code does): where code runs decides what it may import.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import { builtinModules } from 'node:module';
import svelteConfig from './renderer/svelte.config.js';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
/** Folders as import patterns, one group each: its index (`../engine`) and anything inside it. */
const dirs = (...names) => names.map((name) => [`**/${name}`, `**/${name}/**`]);
const layer = (message, { paths = [], patterns = [] }) => ({
  'no-restricted-imports': ['error', { paths: paths.map((name) => ({ name, message })), patterns: patterns.map((group) => ({ group: Array.isArray(group) ? group : [group], message })) }],
});

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'runs/', 'test-output/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Svelte components are linted like any TypeScript file, the layer rules below included.
  ...svelte.configs.recommended,
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'], svelteConfig } },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-undef': 'off',
    },
  },
  {
    // WebGPU cannot read tensors synchronously under Node (no OffscreenCanvas): app code awaits data().
    files: ['electron/**', 'renderer/**'],
    rules: {
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.property.name=/^(dataSync|arraySync|bufferSync)$/]", message: 'use await tensor.data() / array(): synchronous reads fail on the WebGPU backend' }],
    },
  },
  {
    // The contract is types and schemas: imported by every layer, it imports none of them.
    files: ['electron/contract/**'],
    rules: layer('electron/contract holds only types and zod schemas', {
      paths: ['electron', ...nodeBuiltins],
      patterns: [...dirs('engine', 'main', 'preload', 'server', 'cli', 'worker', 'service', 'renderer'), '@tensorflow/*'],
    }),
  },
  {
    // The engine is plain Node: the CLI, tests, server and the utility process run it.
    files: ['electron/engine/**'],
    rules: layer('the engine never imports electron or the layers above it', {
      paths: ['electron'],
      patterns: [...dirs('main', 'preload', 'server', 'cli', 'worker', 'service', 'renderer'), 'electron/*'],
    }),
  },
  {
    // They reach the engine through its front door (electron/engine/index.ts), never its internals.
    files: ['electron/server/**', 'electron/cli/**', 'electron/worker/**', 'electron/service/**'],
    rules: layer('the CLI, server, service and worker run under plain Node, without electron, and use the engine only through electron/engine (its index)', {
      paths: ['electron'],
      patterns: [...dirs('main', 'preload', 'renderer'), '**/engine/*', '@tensorflow/*'],
    }),
  },
  {
    // Main routes and supervises; training lives in the utility process, not here.
    files: ['electron/main/**'],
    rules: layer('main talks to the engine only through the worker process', {
      patterns: [...dirs('engine', 'service', 'server', 'cli', 'worker', 'renderer'), '@tensorflow/*'],
    }),
  },
  {
    files: ['electron/preload/**'],
    rules: layer('the preload exposes the contract and nothing else', {
      paths: nodeBuiltins,
      patterns: [...dirs('engine', 'service', 'main', 'server', 'cli', 'worker', 'renderer'), '@tensorflow/*'],
    }),
  },
  {
    // The renderer runs in a browser or a sandboxed window: no Node, no engine.
    files: ['renderer/**'],
    rules: layer('the renderer never imports Node modules, electron or the engine', {
      paths: ['electron', ...nodeBuiltins],
      patterns: [...dirs('engine', 'service', 'main', 'preload', 'server', 'cli', 'worker'), '@tensorflow/*'],
    }),
  },
  {
    // Screens, components and state never know the host: they use api() from api/bridge.ts,
    // and what differs between Electron and a browser lives in the host bridges beside it.
    files: ['renderer/src/screens/**', 'renderer/src/components/**', 'renderer/src/lib/**', 'renderer/src/App.svelte'],
    rules: layer('screens know only the AppApi from api/bridge, not which host provides it', {
      paths: ['electron', ...nodeBuiltins],
      patterns: [...dirs('engine', 'service', 'main', 'preload', 'server', 'cli', 'worker'), '@tensorflow/*', '**/api/browser-bridge', '**/api/electron-bridge', '**/api/dropped-files'],
    }),
  },
);
