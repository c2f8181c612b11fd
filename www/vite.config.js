// The page builds: index.html (the candidate's page) and console.html (the interviewer console, served
// at /console/) into dist/, which the binary serves; both share dist/assets/. spec-example.html mounts the
// reference spec's InterviewChatbot example verbatim so a browser test can prove the protocol contract;
// it is test material, never shipped: only `vite build --mode spec-example --outDir DIR` builds it
// (tests/browser/spec_example.test.mjs does, into a directory of its own).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

const SPEC_EXAMPLE_MODE = 'spec-example';

export default defineConfig(({ mode }) => ({
  base: '/',
  plugins: [react()],
  build: {
    outDir: mode === SPEC_EXAMPLE_MODE ? 'dist-spec-example' : 'dist',
    emptyOutDir: true,
    rollupOptions: {
      input: mode === SPEC_EXAMPLE_MODE
        ? { 'spec-example': here('./spec-example.html') }
        : { main: here('./index.html'), console: here('./console.html') },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{js,jsx}'],
    globals: false,
    setupFiles: ['./src/test-setup.js'],
  },
}));
