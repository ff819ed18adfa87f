/**
 * A yes/no confirmation for destructive actions that need no typed name
 * (deleting one file, revoking sessions): the button shows progress while
 * onConfirm runs, and the dialog stays open with the server's message when
 * it fails (the toast says it too).
 */
import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { Modal } from './modal';
import { ApiError } from '../api/client';
import { fail, ok } from './toast';

export function Confirm(props: { title: string; message: string; action: string; onConfirm: () => Promise<void>; onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  const go = async () => {
    if (busy) return;
    setBusy(true);
    try {
      await props.onConfirm();
      props.onClose();
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={props.title} onClose={props.onClose}>
      <div class="stack">
        <p>{props.message}</p>
        <div class="row end">
          <button type="button" class="btn" onClick={props.onClose}>
            {t('common.cancel')}
          </button>
          <button type="button" class="btn btn-danger" disabled={busy} onClick={go} data-testid="confirm-yes" autoFocus>
            {busy ? t('common.running') : props.action}
          </button>
        </div>
      </div>
    </Modal>
  );
}

/** Copies text to the clipboard and says so (or says to copy it by hand, showing it). */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    ok(t('common.copied'));
  } catch {
    failText(t('common.copyFailed') + ' ' + text);
  }
}

/** Says what is wrong with what the person typed (checked in the page, before any call): an error toast without a server code. */
export function failText(text: string, code = ''): void {
  fail(new ApiError(text, code, 0));
}
