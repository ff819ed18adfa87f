/**
 * Database: the collections (create; drop after typing the name; count and
 * size), and per collection its documents, indexes, query console and
 * rules: /database/<name>/<tab>.
 */
import { useEffect, useState } from 'preact/hooks';
import { createCollection, dropCollection, listCollections, type Collection } from '../../api/db';
import { TypedConfirm } from '../../components/modal';
import { fail, ok } from '../../components/toast';
import { bytes, num, t, type Key } from '../../i18n';
import { href, navigate, onLinkClick } from '../../router';
import Documents from './Documents';
import Indexes from './Indexes';
import QueryConsole from './QueryConsole';
import Rules from './Rules';

const TABS: { id: string; label: Key }[] = [
  { id: 'documents', label: 'db.tab.documents' },
  { id: 'indexes', label: 'db.tab.indexes' },
  { id: 'query', label: 'db.tab.query' },
  { id: 'rules', label: 'db.tab.rules' },
];

export default function DatabasePage(props: { rest: string[] }) {
  const [coll, tab] = props.rest;
  return coll ? <CollectionView name={coll} tab={tab ?? 'documents'} /> : <Collections />;
}

function Collections() {
  const [list, setList] = useState<Collection[] | null>(null);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [drop, setDrop] = useState<string | null>(null);
  const load = () =>
    listCollections().then(
      (l) => setList(l.sort((a, b) => a.name.localeCompare(b.name))),
      (e) => (fail(e), setList([])),
    );
  useEffect(() => void load(), []);
  const create = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const r = await createCollection(name.trim());
      ok(t('db.coll.created', { name: r.name ?? name }));
      setName('');
      await load();
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="page">
      <div class="row">
        <h1 class="grow">{t('nav.database')}</h1>
        <button type="button" class="btn" onClick={load}>
          {t('common.refresh')}
        </button>
      </div>
      <form class="card row" onSubmit={create}>
        <label class="field grow">
          <span>{t('db.coll.new')}</span>
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} required maxLength={128} pattern="[A-Za-z0-9_\-]+" title={t('db.coll.nameRule')} placeholder={t('db.coll.placeholder')} data-testid="new-collection" />
        </label>
        <button type="submit" class="btn btn-primary" disabled={busy || !name.trim()} style="align-self: flex-end">
          {busy ? t('common.running') : t('db.coll.create')}
        </button>
      </form>
      {list === null ? (
        <p class="muted">{t('app.loading')}</p>
      ) : list.length === 0 ? (
        <p class="card muted">{t('db.coll.none')}</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>{t('common.name')}</th>
                <th class="num">{t('db.coll.count')}</th>
                <th class="num">{t('db.coll.size')}</th>
                <th>{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((c) => (
                <tr key={c.name}>
                  <td>
                    <a href={href('/database/' + encodeURIComponent(c.name))} onClick={onLinkClick} data-testid={'coll-' + c.name}>
                      {c.name}
                    </a>
                  </td>
                  <td class="num">{c.count === undefined ? '–' : num(c.count)}</td>
                  <td class="num">{c.size === undefined ? '–' : bytes(c.size)}</td>
                  <td>
                    <button type="button" class="btn btn-small" onClick={() => setDrop(c.name)}>
                      {t('db.coll.drop')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {drop ? (
        <TypedConfirm
          title={t('db.coll.dropTitle', { name: drop })}
          message={t('db.coll.dropMessage')}
          name={drop}
          action={t('db.coll.drop')}
          onClose={() => setDrop(null)}
          onConfirm={async () => {
            try {
              await dropCollection(drop);
              ok(t('db.coll.dropped', { name: drop }));
              await load();
            } catch (e) {
              fail(e);
              throw e;
            }
          }}
        />
      ) : null}
    </section>
  );
}

function CollectionView(props: { name: string; tab: string }) {
  const base = '/database/' + encodeURIComponent(props.name);
  const tab = TABS.find((x) => x.id === props.tab) ?? TABS[0];
  useEffect(() => {
    if (tab.id !== props.tab) navigate(base + '/' + tab.id, true);
  }, [props.tab]);
  return (
    <section class="page">
      <div class="row">
        <a href={href('/database')} onClick={onLinkClick}>
          {t('nav.database')}
        </a>
        <span class="muted" aria-hidden="true">
          /
        </span>
        <h1 class="grow" style="margin: 0">
          {props.name}
        </h1>
      </div>
      <nav class="tabs" aria-label={t('db.tabs')}>
        {TABS.map((x) => (
          <a key={x.id} href={href(base + '/' + x.id)} onClick={onLinkClick} aria-current={x === tab ? 'page' : undefined} data-testid={'tab-' + x.id}>
            {t(x.label)}
          </a>
        ))}
      </nav>
      {tab.id === 'documents' ? (
        <Documents coll={props.name} />
      ) : tab.id === 'indexes' ? (
        <Indexes coll={props.name} />
      ) : tab.id === 'query' ? (
        <QueryConsole coll={props.name} />
      ) : (
        <Rules coll={props.name} />
      )}
    </section>
  );
}
