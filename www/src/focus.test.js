// The one focus helper: any way a component names its target reaches the element, and a target that
// is gone (the answer box after the end) is no error.
import { afterEach, describe, expect, test } from 'vitest';
import { ANSWER_ID, focusAnswer, focusOn } from './focus.js';

afterEach(() => { document.body.innerHTML = ''; });

describe('focusOn', () => {
  test('takes an element, a ref or an id', () => {
    document.body.innerHTML = `<button id="a">a</button><button id="b">b</button><textarea id="${ANSWER_ID}"></textarea>`;
    const [a, b] = document.querySelectorAll('button');
    focusOn(a);
    expect(document.activeElement).toBe(a);
    focusOn({ current: b });
    expect(document.activeElement).toBe(b);
    focusAnswer();
    expect(document.activeElement).toBe(document.getElementById(ANSWER_ID));
  });

  test('does nothing when the target is not there', () => {
    expect(() => { focusOn('missing'); focusOn({ current: null }); focusOn(null); focusAnswer(); }).not.toThrow();
    expect(document.activeElement).toBe(document.body);
  });
});
