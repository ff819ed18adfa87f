/**
 * useServerCheck: a rule editor's check by the server as you type. The
 * server's own parser decides (POST …/rules/validate), so what the editor
 * shows is what saving would answer.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';

/** How long after the last keystroke the server is asked. */
export const VALIDATE_DELAY = 300;

/** The server's verdict on the text as typed: being checked, accepted, refused (its message), or not reachable (the error). */
export type Verdict = { text: string; state: 'checking' | 'ok' | 'invalid' | 'unknown'; msg: string };

/**
 * useServerCheck calls check(text) VALIDATE_DELAY ms after text last
 * changed; a verdict for older text is dropped. An INVALID_PARAM refusal is
 * 'invalid' with the server's message; any other failure 'unknown' (saving
 * checks again). Nothing is asked while text is '' (nothing to check).
 */
export function useServerCheck(text: string, check: (text: string) => Promise<unknown>): Verdict {
  const [v, setV] = useState<Verdict>({ text: '', state: 'ok', msg: '' });
  useEffect(() => {
    if (!text) return;
    let live = true;
    const timer = setTimeout(() => {
      check(text).then(
        () => live && setV({ text, state: 'ok', msg: '' }),
        (e) => {
          if (!live) return;
          if (e instanceof ApiError && e.code === 'INVALID_PARAM') setV({ text, state: 'invalid', msg: e.message });
          else setV({ text, state: 'unknown', msg: e instanceof Error ? e.message : String(e) });
        },
      );
    }, VALIDATE_DELAY);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [text]);
  return v.text === text ? v : { text, state: text ? 'checking' : 'ok', msg: '' };
}
