/**
 * A modal dialog (the native <dialog>: focus is trapped and Escape closes
 * it) and the typed confirmation destructive actions ask for.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n';

export function Modal(props: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.open && d.close();
  }, []);
  return (
    <dialog
      ref={ref}
      class={props.wide ? 'modal modal-wide' : 'modal'}
      aria-label={props.title}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      <header class="modal-head">
        <h2>{props.title}</h2>
        <button type="button" class="icon-btn" aria-label={t('common.close')} onClick={props.onClose}>
          ×
        </button>
      </header>
      <div class="modal-body">{props.children}</div>
    </dialog>
  );
}

/**
 * Asks to type name before a destructive action runs; the button stays
 * disabled until the text matches, and shows progress while onConfirm runs.
 */
export function TypedConfirm(props: {
  title: string;
  message: string;
  name: string;
  action: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const go = async (e: Event) => {
    e.preventDefault();
    if (text !== props.name || busy) return;
    setBusy(true);
    try {
      await props.onConfirm();
      props.onClose();
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={props.title} onClose={props.onClose}>
      <form onSubmit={go} class="stack">
        <p>{props.message}</p>
        <label class="field">
          <span>{t('confirm.typeToConfirm', { name: props.name })}</span>
          <input value={text} onInput={(e) => setText(e.currentTarget.value)} autoFocus autoComplete="off" spellcheck={false} data-testid="confirm-input" />
        </label>
        <div class="row end">
          <button type="button" class="btn" onClick={props.onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" class="btn btn-danger" disabled={text !== props.name || busy} data-testid="confirm-submit">
            {busy ? t('common.running') : props.action}
          </button>
        </div>
      </form>
    </Modal>
  );
}
