// The options of a choose() question as ordinary buttons: Tab reaches them, Enter/Space picks one,
// and picking sends the option's text exactly as if typed. A script may offer the same text twice, so
// a button's key is its place and its text: never two buttons under one key.
export default function ChoiceButtons({ choices, onChoose, disabled = false }) {
  if (!choices?.length) return null;
  return (
    <div className="choices" role="group" aria-label="Choose an answer" data-testid="choices">
      {choices.map((c, i) => (
        <button key={`${i}:${c}`} type="button" className="choice" disabled={disabled} onClick={() => onChoose(c)}>
          {c}
        </button>
      ))}
    </div>
  );
}
