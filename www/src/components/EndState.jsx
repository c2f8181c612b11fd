// Shown instead of the input once the interview is over. The answer box it replaces may have had focus:
// the heading takes it (tabIndex -1: focusable by script only) so keyboard and screen-reader users land
// on the news instead of on <body>.
import { useRef } from 'react';
import { useFocusWhen } from '../focus.js';

export default function EndState() {
  const heading = useRef(null);
  useFocusWhen(heading);
  return (
    <section className="end-state" data-testid="end-state" aria-labelledby="end-title">
      <h2 id="end-title" tabIndex={-1} ref={heading}>Interview complete</h2>
      <p>Thank you — your answers have been saved. You can close this page now.</p>
    </section>
  );
}
