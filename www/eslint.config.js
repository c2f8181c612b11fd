// ESLint for the page: JavaScript's recommended rules and React's rules of hooks, with every hook's
// dependency list checked (a missing dependency is a stale value at run time, so it is an error).
// `npm run lint` passes only with no warnings at all.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default [
  // src/spec is the reference spec's example, kept verbatim on purpose (see its banner).
  { ignores: ['dist/', 'dist-spec-example/', 'node_modules/', 'src/spec/'] },
  js.configs.recommended,
  reactHooks.configs.flat.recommended,
  {
    files: ['**/*.{js,jsx}'],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: globals.browser,
      parserOptions: { ecmaFeatures: { jsx: true } },
    },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    // The build's own config runs in Node.
    files: ['vite.config.js', 'eslint.config.js'],
    languageOptions: { globals: globals.node },
  },
];
