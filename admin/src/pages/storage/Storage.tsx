/**
 * Storage: the buckets (create, settings with the storage rule, delete),
 * a file browser by folder with thumbnails of images, a preview, copy of
 * the fileID and of a download URL, delete with confirmation, and uploads
 * of many files (drop them or pick them) with each file's progress.
 * Route: /storage/<bucket>?prefix=<folder/>.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  createBucket,
  deleteBucket,
  deleteFile,
  listBuckets,
  listFiles,
  RULE_PRESETS,
  tempURLs,
  thumbURL,
  updateBucket,
  uploadFile,
  validateBucketRule,
  type Bucket,
  type BucketRule,
  type StoredFile,
} from '../../api/storage';
import { Confirm, copyText, failText } from '../../components/confirm';
import { Modal, TypedConfirm } from '../../components/modal';
import { fail, ok } from '../../components/toast';
import { bytes, t } from '../../i18n';
import { navigate, query } from '../../router';
import { useServerCheck } from '../../lib/serverCheck';
import { UploadQueue, type UploadItem } from '../../lib/uploadQueue';
import '../ui2.css';

const isImage = (f: StoredFile) => /^image\/(png|jpe?g|gif|webp)$/.test(f.contentType ?? '') || /\.(png|jpe?g|gif|webp)$/i.test(f.path);
/** A file's extension for its icon (up to 4 characters). */
const ext = (p: string) => (/\.([A-Za-z0-9]{1,4})$/.exec(p)?.[1] ?? '').toUpperCase();
const baseName = (p: string) => p.slice(p.replace(/\/$/, '').lastIndexOf('/') + 1);

export default function StoragePage(props: { rest: string[] }) {
  const [buckets, setBuckets] = useState<Bucket[] | null>(null);
  const [creating, setCreating] = useState(false);
  const [settings, setSettings] = useState<Bucket | null>(null);
  const name = props.rest[0] ?? '';
  const load = () =>
    listBuckets().then(
      (b) => {
        setBuckets(b);
        if (!name && b.length) navigate('/storage/' + encodeURIComponent(b[0].name), true);
      },
      (e) => {
        fail(e);
        setBuckets([]);
      },
    );
  useEffect(() => {
    load();
  }, []);
  const bucket = buckets?.find((b) => b.name === name);
  return (
    <section class="page">
      <div class="row">
        <h1 class="grow ptitle">{t('nav.storage')}</h1>
        {buckets && buckets.length > 0 ? (
          <label class="row">
            <span>{t('storage.bucket')}</span>
            <select value={name} onChange={(e) => navigate('/storage/' + encodeURIComponent(e.currentTarget.value))} data-testid="bucket-select">
              {buckets.map((b) => (
                <option key={b.name} value={b.name}>
                  {b.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {bucket ? (
          <button type="button" class="btn" onClick={() => setSettings(bucket)} data-testid="bucket-settings">
            {t('storage.settings')}
          </button>
        ) : null}
        <button type="button" class="btn" onClick={() => setCreating(true)}>
          {t('storage.newBucket')}
        </button>
      </div>
      {buckets === null ? <p class="muted">{t('app.loading')}</p> : null}
      {buckets && buckets.length === 0 ? <p class="card">{t('storage.noBuckets')}</p> : null}
      {buckets && name && !bucket ? <p class="card error-text">{t('storage.noSuchBucket', { name })}</p> : null}
      {bucket ? <Browser key={bucket.name} bucket={bucket} /> : null}
      {creating ? (
        <BucketForm
          onClose={() => setCreating(false)}
          onSaved={(b) => {
            load();
            navigate('/storage/' + encodeURIComponent(b.name));
          }}
        />
      ) : null}
      {settings ? (
        <BucketForm
          bucket={settings}
          onClose={() => setSettings(null)}
          onSaved={() => load()}
          onDeleted={() => {
            navigate('/storage', true);
            load();
          }}
        />
      ) : null}
    </section>
  );
}

function ruleText(r: BucketRule): string {
  return typeof r === 'string' ? t(('storage.rule.' + r) as 'storage.rule.READONLY') : t('storage.rule.CUSTOM');
}

/** Create a bucket (no bucket given) or change one's settings and rule; delete it. */
function BucketForm(props: { bucket?: Bucket; onClose: () => void; onSaved: (b: Bucket) => void; onDeleted?: () => void }) {
  const b = props.bucket;
  const [nameV, setName] = useState(b?.name ?? '');
  const [maxMiB, setMax] = useState(String(b ? b.maxSize / 1048576 : 50));
  const [types, setTypes] = useState((b?.allowedTypes ?? []).join(', '));
  const custom = b && typeof b.rule === 'object' ? b.rule : null;
  const [preset, setPreset] = useState<string>(b ? (typeof b.rule === 'string' ? b.rule : 'CUSTOM') : 'READONLY');
  const [read, setRead] = useState(custom ? String(custom.read) : 'true');
  const [write, setWrite] = useState(custom ? String(custom.write) : 'auth != null && resource.openid == auth.openid');
  const [busy, setBusy] = useState(false);
  const [del, setDel] = useState(false);
  const [force, setForce] = useState(false);
  const side = (s: string) => (s.trim() === 'true' ? true : s.trim() === 'false' ? false : s.trim());
  // The custom rule as the server is asked about it (and saved).
  const customRule = preset === 'CUSTOM' ? JSON.stringify({ read: side(read), write: side(write) }) : '';
  const verdict = useServerCheck(customRule, (text) => validateBucketRule(JSON.parse(text) as BucketRule));
  const ruleBad = verdict.state === 'invalid';
  const save = async (e: Event) => {
    e.preventDefault();
    const mib = Number(maxMiB);
    if (!Number.isFinite(mib) || mib <= 0) return failText(t('storage.badMaxSize'));
    const rule: BucketRule = preset === 'CUSTOM' ? { read: side(read), write: side(write) } : preset;
    const allowedTypes = types.split(',').map((s) => s.trim()).filter(Boolean);
    setBusy(true);
    try {
      const p = { maxSize: Math.round(mib * 1048576), allowedTypes, rule };
      const out = b ? await updateBucket(b.name, p) : await createBucket({ name: nameV.trim(), ...p });
      ok(b ? t('common.saved') : t('storage.bucketCreated', { name: out.name }));
      props.onSaved(out);
      props.onClose();
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={b ? t('storage.settingsOf', { name: b.name }) : t('storage.newBucket')} onClose={props.onClose} wide>
      <form class="stack" onSubmit={save}>
        {b ? null : (
          <label class="field">
            <span>{t('common.name')}</span>
            <input value={nameV} onInput={(e) => setName(e.currentTarget.value)} required maxLength={63} pattern="[a-z0-9][a-z0-9-]{0,61}[a-z0-9]" autoFocus data-testid="bucket-name" />
            <small class="muted">{t('storage.bucketNameHint')}</small>
          </label>
        )}
        <div class="grid2">
          <label class="field">
            <span>{t('storage.maxSize')}</span>
            <input type="number" min="0.001" step="any" value={maxMiB} onInput={(e) => setMax(e.currentTarget.value)} required />
          </label>
          <label class="field">
            <span>{t('storage.allowedTypes')}</span>
            <input value={types} onInput={(e) => setTypes(e.currentTarget.value)} placeholder={t('storage.allowedTypesHint')} maxLength={2000} />
          </label>
        </div>
        <fieldset class="stack fieldset">
          <legend>{t('storage.rule')}</legend>
          {[...RULE_PRESETS, 'CUSTOM'].map((p) => (
            <label key={p} class="radio">
              <input type="radio" name="rule" value={p} checked={preset === p} onChange={() => setPreset(p)} />
              <span>
                <strong>{ruleText(p)}</strong> <span class="muted">{t(('storage.ruleHelp.' + p) as 'storage.ruleHelp.READONLY')}</span>
              </span>
            </label>
          ))}
          {preset === 'CUSTOM' ? (
            <div class="grid2">
              <label class="field">
                <span>{t('storage.ruleRead')}</span>
                <input class="mono" value={read} onInput={(e) => setRead(e.currentTarget.value)} maxLength={2000} spellcheck={false} aria-invalid={ruleBad && verdict.msg.startsWith('rule read')} data-testid="bucket-rule-read" />
              </label>
              <label class="field">
                <span>{t('storage.ruleWrite')}</span>
                <input class="mono" value={write} onInput={(e) => setWrite(e.currentTarget.value)} maxLength={2000} spellcheck={false} aria-invalid={ruleBad && verdict.msg.startsWith('rule write')} data-testid="bucket-rule-write" />
              </label>
              <small class="muted">{t('storage.ruleVars')}</small>
              <small class={ruleBad ? 'error-text' : verdict.state === 'ok' ? 'ok-text' : 'muted'} role="status" data-testid="bucket-rule-status" data-state={verdict.state}>
                {ruleBad
                  ? verdict.msg
                  : verdict.state === 'checking'
                    ? t('db.rules.checking')
                    : verdict.state === 'unknown'
                      ? t('db.rules.uncheckable', { msg: verdict.msg })
                      : t('db.rules.looksRight')}
              </small>
            </div>
          ) : null}
        </fieldset>
        <div class="row">
          {b ? (
            <button type="button" class="btn btn-danger" onClick={() => setDel(true)}>
              {t('storage.deleteBucket')}
            </button>
          ) : null}
          <span class="grow" />
          <button type="button" class="btn" onClick={props.onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" class="btn btn-primary" disabled={busy || ruleBad || verdict.state === 'checking'} data-testid="bucket-save">
            {busy ? t('common.running') : b ? t('common.save') : t('common.create')}
          </button>
        </div>
        {del && b ? (
          <TypedConfirm
            title={t('storage.deleteBucket')}
            message={t('storage.deleteBucketMsg', { name: b.name })}
            name={b.name}
            action={t('common.delete')}
            onClose={() => setDel(false)}
            onConfirm={async () => {
              try {
                await deleteBucket(b.name, force);
                ok(t('common.deleted'));
                props.onClose();
                props.onDeleted?.();
              } catch (err) {
                fail(err);
                throw err;
              }
            }}
          />
        ) : null}
        {b ? (
          <label class="row">
            <input type="checkbox" checked={force} onChange={(e) => setForce(e.currentTarget.checked)} />
            <span>{t('storage.forceDelete')}</span>
          </label>
        ) : null}
      </form>
    </Modal>
  );
}

/** The files of one bucket, one folder at a time, with the upload area. */
function Browser(props: { bucket: Bucket }) {
  const b = props.bucket;
  const prefix = new URLSearchParams(query.value).get('prefix') ?? '';
  const [files, setFiles] = useState<StoredFile[] | null>(null);
  const [folders, setFolders] = useState<string[]>([]);
  const [next, setNext] = useState<string | undefined>();
  const [urls, setUrls] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<StoredFile | null>(null);
  const [removing, setRemoving] = useState<StoredFile | null>(null);
  const [loading, setLoading] = useState(false);
  const [newFolder, setNewFolder] = useState('');

  const go = (p: string) => navigate(`/storage/${encodeURIComponent(b.name)}${p ? '?prefix=' + encodeURIComponent(p) : ''}`);
  const load = async (after = '') => {
    setLoading(true);
    try {
      const page = await listFiles(b.name, prefix, after);
      setFiles((old) => (after && old ? [...old, ...page.files] : page.files));
      setFolders((old) => (after ? [...old, ...(page.folders ?? [])] : page.folders ?? []));
      setNext(page.next);
      const imgs = page.files.filter(isImage).map((f) => f.fileID);
      const got = await tempURLs(imgs);
      setUrls((u) => ({ ...u, ...Object.fromEntries(imgs.map((id, i) => [id, got[i]])) }));
    } catch (e) {
      fail(e);
      if (!after) setFiles([]);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    setFiles(null);
    load();
  }, [prefix]);

  const refreshSoon = useRef<number>();
  // The queue outlives folder changes (uploads go on, with their progress
  // shown); what it refreshes is the folder shown when an upload ends.
  const loadNow = useRef(load);
  loadNow.current = load;
  const queue = useMemo(
    () =>
      new UploadQueue((path, file, progress) => uploadFile(b.name, path, file, progress), 3, (it) => {
        if (it.state === 'failed') failText(`${it.name}: ${it.error}`, it.code);
        clearTimeout(refreshSoon.current);
        refreshSoon.current = window.setTimeout(() => loadNow.current(), 300);
      }),
    [b.name],
  );
  const [items, setItems] = useState<UploadItem[]>([]);
  useEffect(() => queue.subscribe(() => setItems(queue.items)), [queue]);
  const addFiles = (list: FileList | null) => {
    if (!list || list.length === 0) return;
    const refused = queue.add([...list].map((f) => ({ name: f.name, blob: f })), prefix);
    if (refused) failText(t('storage.queueFull', { n: refused }));
  };
  const [over, setOver] = useState(false);
  const crumbs = prefix.split('/').filter(Boolean);

  const copyURL = async (f: StoredFile) => {
    try {
      const [u] = await tempURLs([f.fileID]);
      if (!u) return failText(t('storage.noURL'));
      await copyText(u);
    } catch (e) {
      fail(e);
    }
  };

  return (
    <div class="stack">
      <p class="muted small">
        {t('storage.bucketSummary', { max: bytes(b.maxSize), rule: ruleText(b.rule), types: b.allowedTypes?.length ? b.allowedTypes.join(', ') : t('storage.anyType') })}
      </p>
      <nav class="crumbs row" aria-label={t('storage.folders')}>
        <button type="button" class="btn-link" onClick={() => go('')}>
          {b.name}
        </button>
        {crumbs.map((c, i) => (
          <span key={i} class="row">
            <span aria-hidden="true">/</span>
            <button type="button" class="btn-link" onClick={() => go(crumbs.slice(0, i + 1).join('/') + '/')}>
              {c}
            </button>
          </span>
        ))}
        <span class="grow" />
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            const n = newFolder.trim().replace(/^\/+|\/+$/g, '');
            if (!n || n.includes('..') || n.length > 200) return failText(t('storage.badFolder'));
            setNewFolder('');
            go(prefix + n + '/');
          }}
        >
          <input value={newFolder} onInput={(e) => setNewFolder(e.currentTarget.value)} placeholder={t('storage.newFolder')} aria-label={t('storage.newFolder')} maxLength={200} size={14} />
          <button type="submit" class="btn btn-small">
            {t('storage.open')}
          </button>
        </form>
        <button type="button" class="btn btn-small" onClick={() => load()} disabled={loading}>
          {t('common.refresh')}
        </button>
      </nav>

      <label
        class={over ? 'dropzone over' : 'dropzone'}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          addFiles(e.dataTransfer?.files ?? null);
        }}
      >
        <input type="file" multiple class="sr-only" onChange={(e) => (addFiles(e.currentTarget.files), (e.currentTarget.value = ''))} data-testid="upload-input" />
        <span>{t('storage.dropHere', { folder: '/' + prefix })}</span>
      </label>

      {items.length ? <UploadList queue={queue} items={items} /> : null}

      {files === null ? (
        <p class="muted">{t('app.loading')}</p>
      ) : files.length === 0 && folders.length === 0 ? (
        <p class="card muted">{t('storage.emptyFolder')}</p>
      ) : (
        <div class="table-wrap">
          <table class="files" data-testid="file-table">
            <thead>
              <tr>
                <th class="thumb-col">
                  <span class="sr-only">{t('storage.preview')}</span>
                </th>
                <th>{t('common.name')}</th>
                <th class="num hide-phone">{t('storage.size')}</th>
                <th class="hide-phone">{t('storage.modified')}</th>
                <th>{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {folders.map((f) => (
                <tr key={f}>
                  <td class="thumb-col" aria-hidden="true">
                    <span class="file-icon folder-icon" />
                  </td>
                  <td colSpan={4}>
                    <button type="button" class="btn-link" onClick={() => go(f)}>
                      {baseName(f)}/
                    </button>
                  </td>
                </tr>
              ))}
              {files.map((f) => (
                <tr key={f.fileID} data-testid="file-row">
                  <td class="thumb-col">
                    {isImage(f) && urls[f.fileID] ? (
                      <button type="button" class="thumb-btn" onClick={() => setPreview(f)} aria-label={t('storage.previewOf', { name: baseName(f.path) })}>
                        <img class="thumb" src={thumbURL(urls[f.fileID], 96)} alt="" loading="lazy" width={48} height={48} />
                      </button>
                    ) : (
                      <span class="file-icon" aria-hidden="true">
                        {ext(f.path)}
                      </span>
                    )}
                  </td>
                  <td class="name-cell">
                    <button type="button" class="btn-link" onClick={() => setPreview(f)}>
                      {baseName(f.path)}
                    </button>
                    <div class="muted small show-phone">
                      {bytes(f.size)} · {new Date(f.modTime).toLocaleString()}
                    </div>
                  </td>
                  <td class="num hide-phone">{bytes(f.size)}</td>
                  <td class="hide-phone">{new Date(f.modTime).toLocaleString()}</td>
                  <td>
                    <div class="row nowrap">
                      <button type="button" class="btn btn-small" onClick={() => copyText(f.fileID)} title={f.fileID}>
                        {t('storage.copyID')}
                      </button>
                      <button type="button" class="btn btn-small" onClick={() => copyURL(f)}>
                        {t('storage.copyURL')}
                      </button>
                      <button type="button" class="btn btn-small btn-danger-outline" onClick={() => setRemoving(f)} aria-label={t('storage.deleteFileNamed', { name: baseName(f.path) })}>
                        {t('common.delete')}
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next ? (
        <button type="button" class="btn" disabled={loading} onClick={() => load(next)}>
          {loading ? t('app.loading') : t('storage.more')}
        </button>
      ) : null}
      {preview ? <Preview file={preview} onClose={() => setPreview(null)} onCopyURL={() => copyURL(preview)} /> : null}
      {removing ? (
        <Confirm
          title={t('storage.deleteFile')}
          message={t('storage.deleteFileMsg', { path: removing.path })}
          action={t('common.delete')}
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await deleteFile(removing.fileID);
            ok(t('storage.fileDeleted', { name: baseName(removing.path) }));
            setFiles((fs) => fs?.filter((x) => x.fileID !== removing.fileID) ?? null);
          }}
        />
      ) : null}
    </div>
  );
}

function UploadList(props: { queue: UploadQueue; items: UploadItem[] }) {
  const tot = props.queue.totals();
  return (
    <div class="card stack uploads" data-testid="upload-list">
      <div class="row">
        <strong class="grow">{tot.active ? t('storage.uploading', { n: tot.active, sent: bytes(tot.loaded), total: bytes(tot.total) }) : t('storage.uploadsDone')}</strong>
        <button type="button" class="btn btn-small" onClick={() => props.queue.clearFinished()}>
          {t('storage.clearDone')}
        </button>
      </div>
      <ul class="upload-items">
        {props.items.map((it) => (
          <li key={it.id} class={'upload-' + it.state} data-testid="upload-item" data-state={it.state}>
            <span class="upload-name" title={it.cloudPath}>
              {it.name}
            </span>
            <progress max={it.size || 1} value={it.loaded} aria-label={t('storage.progressOf', { name: it.name })} />
            <span class="upload-state">
              {it.state === 'failed' ? it.error : t(('storage.state.' + it.state) as 'storage.state.done', { pct: it.size ? Math.round((it.loaded * 100) / it.size) : 0 })}
            </span>
            {it.state === 'queued' || it.state === 'uploading' ? (
              <button type="button" class="btn-link" onClick={() => props.queue.cancel(it.id)}>
                {t('common.cancel')}
              </button>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Preview(props: { file: StoredFile; onClose: () => void; onCopyURL: () => void }) {
  const f = props.file;
  const [url, setUrl] = useState('');
  const [err, setErr] = useState('');
  useEffect(() => {
    tempURLs([f.fileID]).then(([u]) => (u ? setUrl(u) : setErr(t('storage.noURL'))), (e) => setErr(String((e as Error).message)));
  }, [f.fileID]);
  return (
    <Modal title={baseName(f.path)} onClose={props.onClose} wide>
      <div class="stack">
        {isImage(f) ? (
          url ? (
            <img class="preview-img" src={thumbURL(url, 1024).replace('fit=cover', 'fit=inside')} alt={baseName(f.path)} data-testid="preview-img" />
          ) : (
            <p class="muted">{err || t('app.loading')}</p>
          )
        ) : (
          <p class="muted">{t('storage.noPreview')}</p>
        )}
        <dl class="props">
          <dt>{t('storage.fileID')}</dt>
          <dd class="mono">{f.fileID}</dd>
          <dt>{t('storage.size')}</dt>
          <dd>{bytes(f.size)}</dd>
          <dt>{t('storage.type')}</dt>
          <dd>{f.contentType || '—'}</dd>
          <dt>{t('storage.modified')}</dt>
          <dd>{new Date(f.modTime).toLocaleString()}</dd>
          <dt>{t('storage.owner')}</dt>
          <dd class="mono">{f.owner || t('storage.ownerAdmin')}</dd>
        </dl>
        <div class="row end">
          <button type="button" class="btn" onClick={() => copyText(f.fileID)}>
            {t('storage.copyID')}
          </button>
          <button type="button" class="btn" onClick={props.onCopyURL}>
            {t('storage.copyURL')}
          </button>
          {url ? (
            <a class="btn" href={url} target="_blank" rel="noopener">
              {t('storage.openFile')}
            </a>
          ) : null}
        </div>
      </div>
    </Modal>
  );
}
