// Where keyboard focus goes, in one place. A control that disappears under the candidate's hand (a
// choice, Retry, Discard, Try now, the answer box at the end) hands focus on, so keyboard and
// screen-reader users are never dropped onto <body>; a control that appears for them takes it.
import { useEffect } from 'react';

export const ANSWER_ID = 'answer';

// Focuses an element, the element of a ref, or the element with that id; nothing if it is not there.
export function focusOn(target) {
  const el = typeof target === 'string' ? document.getElementById(target) : target && 'current' in target ? target.current : target;
  el?.focus();
}

// The answer box: where the candidate carries on after using a button that then goes away.
export function focusAnswer() {
  focusOn(ANSWER_ID);
}

// Focuses ref's element once it is shown with `when` true (on mount when it starts true).
export function useFocusWhen(ref, when = true) {
  useEffect(() => { if (when) focusOn(ref); }, [ref, when]);
}
