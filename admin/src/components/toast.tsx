/**
 * Toasts: every action says how it went. Errors show the server's message
 * and code and stay until dismissed; successes fade after a few seconds.
 */
import { signal } from '@preact/signals';
import { apiError } from '../api/client';
import { t } from '../i18n';

interface Toast {
  id: number;
  kind: 'ok' | 'error';
  text: string;
  code?: string;
}

export const toasts = signal<Toast[]>([]);
let next = 1;

function push(kind: Toast['kind'], text: string, code?: string): void {
  const id = next++;
  toasts.value = [...toasts.value.slice(-2), { id, kind, text, code }];
  // Errors stay longer, to be read; the × dismisses any at once.
  setTimeout(() => dismiss(id), kind === 'ok' ? 4000 : 15000);
}

export function dismiss(id: number): void {
  toasts.value = toasts.value.filter((x) => x.id !== id);
}

/** A success message. */
export const ok = (text: string) => push('ok', text);

/** A failure: the server's message and code (or the network's). */
export function fail(e: unknown): void {
  const err = apiError(e);
  push('error', err.message, err.code);
}

export function Toasts() {
  return (
    <div class="toasts" role="status" aria-live="polite">
      {toasts.value.map((x) => (
        <div key={x.id} class={`toast toast-${x.kind}`} role={x.kind === 'error' ? 'alert' : undefined}>
          <span class="toast-text">
            {x.text}
            {x.code ? <code class="toast-code">{x.code}</code> : null}
          </span>
          <button type="button" class="toast-x" aria-label={t('common.dismiss')} onClick={() => dismiss(x.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
