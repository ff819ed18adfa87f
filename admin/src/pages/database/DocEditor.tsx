/**
 * The document editor: JSON checked as you type (syntax, an object,
 * extended-JSON dates), saved only when valid. New documents are inserted;
 * an existing one is replaced whole (PUT docs/<id>), _id kept.
 */
import { useState } from 'preact/hooks';
import { insert, setDoc, type Doc } from '../../api/db';
import { CodeEditor } from '../../components/code-editor';
import { Modal } from '../../components/modal';
import { fail, ok } from '../../components/toast';
import { t } from '../../i18n';
import { parseJSON, pretty } from './json';

export function DocEditor(props: { coll: string; doc?: Doc; onClose: () => void; onSaved: () => void }) {
  const id = props.doc?._id as string | undefined;
  const start = props.doc ? Object.fromEntries(Object.entries(props.doc).filter(([k]) => k !== '_id')) : { name: '', createdAt: { $date: new Date().toISOString() } };
  const [text, setText] = useState(pretty(start));
  const [busy, setBusy] = useState(false);
  const parsed = parseJSON<Doc>(text);
  const save = async (e: Event) => {
    e.preventDefault();
    if (!parsed.ok) return;
    setBusy(true);
    try {
      if (id === undefined) {
        const r = await insert(props.coll, parsed.value);
        ok(t('db.doc.inserted', { id: r._id }));
      } else {
        await setDoc(props.coll, id, parsed.value);
        ok(t('db.doc.saved', { id }));
      }
      props.onSaved();
      props.onClose();
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  const addDate = () => {
    const p = parseJSON<Doc>(text);
    if (p.ok) setText(pretty({ ...p.value, updatedAt: { $date: new Date().toISOString() } }));
  };
  return (
    <Modal title={id === undefined ? t('db.doc.newTitle') : t('db.doc.editTitle', { id })} onClose={props.onClose} wide>
      <form class="stack" onSubmit={save}>
        <CodeEditor value={text} onInput={setText} lang="json" label={t('db.doc.json')} invalid={!parsed.ok} testid="doc-json" rows={16} />
        <p class={parsed.ok ? 'muted' : 'error-text'} role="status" data-testid="doc-json-status">
          {parsed.ok ? t('db.doc.valid') : parsed.error}
        </p>
        <p class="muted">{t('db.doc.dateHint')}</p>
        <div class="row end">
          <button type="button" class="btn" onClick={addDate} disabled={!parsed.ok}>
            {t('db.doc.addDate')}
          </button>
          <span class="grow" />
          <button type="button" class="btn" onClick={props.onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" class="btn btn-primary" disabled={!parsed.ok || busy} data-testid="doc-save">
            {busy ? t('common.running') : id === undefined ? t('db.doc.insert') : t('common.save')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
