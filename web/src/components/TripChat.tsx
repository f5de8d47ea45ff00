/**
 * The trip assistant, in a drawer: the traveler asks about their trips and the platform's
 * policies; the answer streams in as the model writes it (`POST /api/agent/chat`, server-sent
 * events read from the response body), with each tool it used and the policy sections it cites.
 */
import { createParser } from 'eventsource-parser';
import { useRef, useState } from 'react';
import { ApiError, api, errorOf } from '../lib/api';
import { ErrorNote } from './Status';

interface Citation {
  id: string;
  document: string;
  title: string;
}

interface Turn {
  role: 'user' | 'assistant';
  content: string;
  steps?: string[];
  citations?: Citation[];
}

/** Reads the answer's events as they come; resolves with the final text and its citations. */
async function streamAnswer(
  response: Response,
  onUpdate: (turn: Omit<Turn, 'role'>) => void,
): Promise<void> {
  const steps: string[] = [];
  let text = '';
  let failure: ApiError | undefined;
  const parser = createParser({
    onEvent: ({ event, data }) => {
      const payload = JSON.parse(data) as {
        summary?: string;
        tool?: string;
        text?: string;
        citations?: Citation[];
        code?: string;
        message?: string;
      };
      if (event === 'step') steps.push(payload.summary ?? payload.tool ?? 'Looked something up');
      if (event === 'token') text += payload.text ?? '';
      if (event === 'retry') text = '';
      if (event === 'answer') {
        text = payload.text ?? '';
        onUpdate({ content: text, steps: [...steps], citations: payload.citations });
        return;
      }
      if (event === 'error') {
        const message = payload.message ?? 'The assistant stopped';
        failure = new ApiError(502, payload.code ?? 'planner_error', message);
      }
      onUpdate({ content: text, steps: [...steps] });
    },
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(value);
  }
  if (failure) throw failure;
}

export function TripChat({ bookingId }: { bookingId?: string }) {
  const [open, setOpen] = useState(false);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [draft, setDraft] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const input = useRef<HTMLInputElement>(null);

  const send = async () => {
    const question = draft.trim();
    if (!question || pending) return;
    const history: Turn[] = [...turns, { role: 'user', content: question }];
    setTurns([...history, { role: 'assistant', content: '' }]);
    setDraft('');
    setPending(true);
    setError(null);
    const update = (answer: Omit<Turn, 'role'>) =>
      setTurns([...history, { role: 'assistant', ...answer }]);
    try {
      const messages = history
        .filter((t) => t.content)
        .map(({ role, content }) => ({ role, content }));
      const response = await fetch(api.api.agent.chat.$url(), {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...(bookingId ? { bookingId } : {}), messages }),
      });
      if (!response.ok) throw await errorOf(response);
      await streamAnswer(response, update);
    } catch (failure) {
      setError(failure);
      setTurns(history);
    } finally {
      setPending(false);
      input.current?.focus();
    }
  };

  if (!open) {
    return (
      <button type="button" className="button secondary" onClick={() => setOpen(true)}>
        Ask the trip assistant
      </button>
    );
  }
  return (
    <aside className="chat-drawer" aria-labelledby="chat-heading">
      <div className="chat-head">
        <h2 id="chat-heading">Trip assistant</h2>
        <button type="button" className="button small secondary" onClick={() => setOpen(false)}>
          Close the assistant
        </button>
      </div>
      {/* It scrolls once the answers are long: focusable, so a keyboard can scroll it too. */}
      <ol className="chat-turns" aria-live="polite" aria-label="Conversation" tabIndex={0}>
        {turns.length === 0 && (
          <li className="muted">Ask about your bookings, or a policy: “Can I cancel?”</li>
        )}
        {turns.map((turn, i) => (
          <li key={i} className={`chat-turn ${turn.role}`}>
            <span className="visually-hidden">{turn.role === 'user' ? 'You' : 'Assistant'}:</span>
            {turn.steps?.map((step, j) => (
              <p key={j} className="small muted">
                {step}
              </p>
            ))}
            <p>{turn.content || (pending ? '…' : '')}</p>
            {turn.citations && turn.citations.length > 0 && (
              <p className="small">
                Sources: {turn.citations.map((c) => `${c.title} (${c.document})`).join('; ')}
              </p>
            )}
          </li>
        ))}
      </ol>
      {error !== null && <ErrorNote error={error} />}
      <form
        className="chat-form"
        onSubmit={(event) => {
          event.preventDefault();
          void send();
        }}
      >
        <label>
          Your question
          <input
            ref={input}
            value={draft}
            maxLength={2000}
            onChange={(e) => setDraft(e.target.value)}
            disabled={pending}
          />
        </label>
        <button type="submit" className="button" disabled={pending || !draft.trim()}>
          Send
        </button>
      </form>
    </aside>
  );
}
