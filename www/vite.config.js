// The candidate page build. Two HTML entries: index.html is the page; spec-example.html mounts the
// reference spec's InterviewChatbot example verbatim so a browser test can prove the protocol contract.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rollupOptions: {
      input: { main: here('./index.html'), 'spec-example': here('./spec-example.html') },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{js,jsx}'],
    globals: false,
    setupFiles: ['./src/test-setup.js'],
  },
});
