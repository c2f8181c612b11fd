// jsdom lays nothing out, so it has no ResizeObserver. This stand-in records what each observer watches
// and lets a test say "this element changed size" with resize(el); test-setup.js installs it globally.
const observers = new Set();

export class ResizeObserverDouble {
  constructor(callback) {
    this.callback = callback;
    this.targets = new Set();
  }
  observe(el) { this.targets.add(el); observers.add(this); }
  unobserve(el) { this.targets.delete(el); }
  disconnect() { this.targets.clear(); observers.delete(this); }
}

// Notifies every observer watching `el`, as a browser does after a layout that changed its size.
export function resize(el) {
  for (const o of [...observers]) {
    if (o.targets.has(el)) o.callback([{ target: el }], o);
  }
}
