// ESLint flat config: the recommended JavaScript and TypeScript rules, and lines of at most 100
// columns (Prettier formats code to 100 but leaves comments and strings alone; this catches them).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const maxLen = (extra) => ['error', { code: 100, ignoreUrls: true, ...extra }];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.device/', 'runs/', 'out/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        Buffer: 'readonly',
        globalThis: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        queueMicrotask: 'readonly',
        performance: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        URL: 'readonly',
        WebAssembly: 'readonly',
        SharedArrayBuffer: 'readonly',
        Atomics: 'readonly',
        structuredClone: 'readonly',
        self: 'readonly',
        navigator: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: {
      'max-len': maxLen({}),
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Tests embed base64 images, long expected messages and regular expressions.
    files: ['test/**'],
    rules: {
      'max-len': maxLen({
        ignoreStrings: true,
        ignoreTemplateLiterals: true,
        ignoreRegExpLiterals: true,
      }),
    },
  },
);
