// Vitest: unmount between tests, start each with an empty sessionStorage, and give jsdom the
// ResizeObserver it lacks (a double: tests call resize(el) from testing/ResizeObserverDouble.js).
import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/react';
import { ResizeObserverDouble } from './testing/ResizeObserverDouble.js';

globalThis.ResizeObserver ??= ResizeObserverDouble;

afterEach(() => {
  cleanup();
  window.sessionStorage.clear();
});
