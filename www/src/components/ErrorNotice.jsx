// A refused request, shown next to the input (role=alert) and never in the conversation.
const FRIENDLY = {
  rate_limited: 'That was a lot of messages at once, so your answer was not sent. Please wait a moment, then choose Retry.',
  too_large: 'That answer is too long to send. Choose Edit to shorten it.',
  script_error: 'Something went wrong on our side with that answer, so it was not sent. You can Retry it, Edit it or Discard it; anything you send meanwhile waits behind it.',
  unavailable: 'The server is busy or restarting. Your answer is kept and will be sent again shortly.',
  bad_request: 'That message could not be sent.',
};

export default function ErrorNotice({ error, onDismiss }) {
  if (!error) return null;
  const friendly = FRIENDLY[error.code];
  return (
    <div className="notice error" role="alert" data-testid="error-notice" data-code={error.code}>
      <p>{friendly || error.message}</p>
      {friendly && error.message && error.message !== friendly && <p className="detail">{error.message}</p>}
      {onDismiss && (
        <button type="button" className="link" onClick={onDismiss}>Dismiss</button>
      )}
    </div>
  );
}
