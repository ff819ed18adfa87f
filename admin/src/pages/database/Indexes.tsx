/**
 * Indexes: the list, create (fields with a direction, unique), drop after
 * a confirmation, and which of the recent slow queries a proposed index
 * would serve (POST …/indexes/check).
 */
import { useEffect, useState } from 'preact/hooks';
import { checkIndex, createIndex, dropIndex, listIndexes, slowQueries, type Index, type SlowQuery } from '../../api/db';
import { TypedConfirm } from '../../components/modal';
import { fail, ok } from '../../components/toast';
import { t } from '../../i18n';

/** "a, -b" → the keys: a ascending, b descending. */
export function parseKeys(s: string): { path: string; desc: boolean }[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => (x.startsWith('-') ? { path: x.slice(1).trim(), desc: true } : { path: x.replace(/^\+/, ''), desc: false }));
}

export default function Indexes(props: { coll: string }) {
  const [list, setList] = useState<Index[] | null>(null);
  const [keys, setKeys] = useState('');
  const [name, setName] = useState('');
  const [unique, setUnique] = useState(false);
  const [busy, setBusy] = useState(false);
  const [drop, setDrop] = useState<string | null>(null);
  const [slow, setSlow] = useState<{ data: SlowQuery[]; thresholdMs?: number } | null | 'unavailable'>(null);
  const [check, setCheck] = useState<SlowQuery[] | null>(null);
  const load = () => listIndexes(props.coll).then(setList, (e) => (fail(e), setList([])));
  useEffect(() => {
    load();
    slowQueries(props.coll).then(setSlow, () => setSlow('unavailable'));
  }, [props.coll]);
  const parsed = parseKeys(keys);
  const create = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const r = await createIndex(props.coll, { keys: parsed, unique, ...(name.trim() ? { name: name.trim() } : {}) });
      ok(t('db.idx.created', { name: r.name }));
      setKeys('');
      setName('');
      setCheck(null);
      await load();
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  const runCheck = async () => {
    try {
      setCheck(await checkIndex(props.coll, Object.fromEntries(parsed.map((k) => [k.path, k.desc ? -1 : 1]))));
    } catch (e) {
      fail(e);
    }
  };
  return (
    <div class="stack">
      {list === null ? (
        <p class="muted">{t('app.loading')}</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>{t('common.name')}</th>
                <th>{t('db.idx.keys')}</th>
                <th>{t('db.idx.unique')}</th>
                <th>{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td class="mono">{t('db.docs.id')}</td>
                <td class="mono">{t('db.docs.id')}</td>
                <td>{t('common.yes')}</td>
                <td class="muted">{t('db.idx.builtin')}</td>
              </tr>
              {list.map((ix) => (
                <tr key={ix.name}>
                  <td class="mono">{ix.name}</td>
                  <td class="mono">{ix.keys.map((k) => (k.desc ? '-' : '') + k.path + (k.type ? ` (${k.type})` : '')).join(', ')}</td>
                  <td>{ix.unique ? t('common.yes') : t('common.no')}</td>
                  <td>
                    <button type="button" class="btn btn-small" onClick={() => setDrop(ix.name)}>
                      {t('db.idx.drop')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form class="card stack" onSubmit={create}>
        <h2>{t('db.idx.new')}</h2>
        <div class="row">
          <label class="field grow">
            <span>{t('db.idx.keys')}</span>
            <input value={keys} onInput={(e) => setKeys(e.currentTarget.value)} placeholder={t('db.idx.keysPlaceholder')} required />
          </label>
          <label class="field">
            <span>{t('db.idx.name')}</span>
            <input value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder={t('db.idx.namePlaceholder')} maxLength={128} />
          </label>
          <label class="row" style="align-self: flex-end">
            <input type="checkbox" checked={unique} onChange={(e) => setUnique(e.currentTarget.checked)} />
            {t('db.idx.unique')}
          </label>
        </div>
        <div class="row">
          <button type="submit" class="btn btn-primary" disabled={busy || parsed.length === 0}>
            {busy ? t('common.running') : t('db.idx.create')}
          </button>
          <button type="button" class="btn" disabled={parsed.length === 0 || slow === 'unavailable'} onClick={runCheck}>
            {t('db.idx.check')}
          </button>
        </div>
        {check ? (
          check.length === 0 ? (
            <p class="muted">{t('db.idx.noSlow')}</p>
          ) : (
            <SlowTable rows={check} withUse />
          )
        ) : null}
      </form>
      <div class="card stack">
        <h2>{t('db.idx.slowTitle')}</h2>
        {slow === null ? (
          <p class="muted">{t('app.loading')}</p>
        ) : slow === 'unavailable' ? (
          <p class="muted">{t('db.idx.slowUnavailable')}</p>
        ) : slow.data.length === 0 ? (
          <p class="muted">{t('db.idx.slowNone', { ms: slow.thresholdMs ?? 100 })}</p>
        ) : (
          <SlowTable rows={slow.data} />
        )}
      </div>
      {drop ? (
        <TypedConfirm
          title={t('db.idx.dropTitle', { name: drop })}
          message={t('db.idx.dropMessage')}
          name={drop}
          action={t('db.idx.drop')}
          onClose={() => setDrop(null)}
          onConfirm={async () => {
            try {
              await dropIndex(props.coll, drop);
              ok(t('db.idx.dropped', { name: drop }));
              await load();
            } catch (e) {
              fail(e);
              throw e;
            }
          }}
        />
      ) : null}
    </div>
  );
}

function SlowTable(props: { rows: SlowQuery[]; withUse?: boolean }) {
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th>{t('db.idx.slowFilter')}</th>
            <th>{t('db.idx.slowSort')}</th>
            <th class="num">{t('db.idx.slowMs')}</th>
            {props.withUse ? <th>{t('db.idx.wouldUse')}</th> : null}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((q, i) => (
            <tr key={i}>
              <td class="mono">{JSON.stringify(q.filter ?? {})}</td>
              <td class="mono">{q.sort ? JSON.stringify(q.sort) : '–'}</td>
              <td class="num">{q.ms?.toFixed?.(1) ?? q.ms}</td>
              {props.withUse ? <td>{q.wouldUse ? <span class="tag tag-ok">{t('common.yes')}</span> : <span class="tag">{t('common.no')}</span>}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
