// Shown instead of the input once the interview is over.
export default function EndState() {
  return (
    <section className="end-state" data-testid="end-state" aria-labelledby="end-title">
      <h2 id="end-title">Interview complete</h2>
      <p>Thank you — your answers have been saved. You can close this page now.</p>
    </section>
  );
}
