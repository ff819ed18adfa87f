/**
 * Backups (its own page, after Settings): the archives with their size, date, where they
 * are and whether the schedule made them; "Back up now" (the button shows
 * progress while the server works; a backup already running is said
 * plainly), download with the admin's token, delete after a confirmation,
 * the schedule, retention and destination (read-only: environment
 * variables) and how to restore.
 */
import { useEffect, useState } from 'preact/hooks';
import { apiError } from '../../api/client';
import { createBackup, deleteBackup, downloadBackup, listBackups, saveBlob, type Backup, type BackupSettings } from '../../api/backups';
import { Confirm } from '../../components/confirm';
import { fail, ok } from '../../components/toast';
import { bytes, t } from '../../i18n';

// Commands and variable names: the same in every language.
const RESTORE = 'minibase backup restore <archive>';
const ENV_SCHEDULE = 'MINIBASE_BACKUP_SCHEDULE';
const ENV_KEEP = 'MINIBASE_BACKUP_KEEP';

export default function BackupsPage(_: { rest: string[] }) {
  const [list, setList] = useState<Backup[] | null>(null);
  const [settings, setSettings] = useState<BackupSettings | null>(null);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState('');
  const [downloading, setDownloading] = useState('');
  const [deleting, setDeleting] = useState<Backup | null>(null);
  const load = () =>
    listBackups().then(
      (r) => {
        setList(r.backups ?? []);
        setSettings(r.settings ?? null);
      },
      (e) => fail(e),
    );
  useEffect(() => void load(), []);
  const backUp = async () => {
    setCreating(true);
    setNotice('');
    try {
      const b = await createBackup();
      ok(t('backups.created', { name: b.name, size: bytes(b.size) }));
    } catch (e) {
      const err = apiError(e);
      if (err.code === 'BACKUP_IN_PROGRESS') setNotice(t('backups.busy'));
      else fail(err);
    } finally {
      setCreating(false);
      void load();
    }
  };
  const download = async (b: Backup) => {
    setDownloading(b.name);
    try {
      saveBlob(await downloadBackup(b.name), b.name);
    } catch (e) {
      fail(e);
    } finally {
      setDownloading('');
    }
  };
  return (
    <section class="page" data-testid="backups">
      <div class="row">
        <h1 class="grow">{t('nav.backups')}</h1>
        <button type="button" class="btn" onClick={() => void load()}>
          {t('common.refresh')}
        </button>
        <button type="button" class="btn btn-primary" disabled={creating} onClick={backUp} data-testid="backup-now" aria-busy={creating}>
          {creating ? t('backups.creating') : t('backups.now')}
        </button>
      </div>
      {creating && <p class="muted" role="status">{t('backups.creatingHint')}</p>}
      {notice && (
        <p class="card warn" role="alert" data-testid="backup-notice">
          {notice}
        </p>
      )}
      {settings && (
        <dl class="card kv" data-testid="backup-settings">
          <dt>{t('backups.schedule')}</dt>
          <dd>
            {settings.schedule ? (
              <span class="mono">
                {settings.schedule}
                {settings.timezone ? ` (${settings.timezone})` : ''}
              </span>
            ) : (
              t('backups.noSchedule')
            )}
            <small class="muted mono"> {ENV_SCHEDULE}</small>
          </dd>
          <dt>{t('backups.keep')}</dt>
          <dd>
            {t('backups.keepN', { n: settings.keep })}
            <small class="muted mono"> {ENV_KEEP}</small>
          </dd>
          <dt>{t('backups.destination')}</dt>
          <dd>{settings.where === 's3' ? <span class="mono">{`s3://${settings.bucket ?? ''}/${settings.prefix ?? ''}`}</span> : t('backups.local')}</dd>
        </dl>
      )}
      <p class="muted">
        {t('backups.restore')} <code>{RESTORE}</code>
      </p>
      {list === null ? (
        <p class="muted">{t('app.loading')}</p>
      ) : list.length === 0 ? (
        <p class="card muted" data-testid="backups-empty">
          {t('backups.empty')}
        </p>
      ) : (
        <div class="table-wrap">
          <table data-testid="backup-table">
            <thead>
              <tr>
                <th>{t('common.name')}</th>
                <th>{t('backups.size')}</th>
                <th>{t('backups.createdAt')}</th>
                <th>{t('backups.where')}</th>
                <th>{t('backups.kind')}</th>
                <th>{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((b) => (
                <tr key={b.name} data-testid="backup-row" data-name={b.name}>
                  <td class="mono">{b.name}</td>
                  <td>{bytes(b.size)}</td>
                  <td>{new Date(b.created).toLocaleString()}</td>
                  <td>{b.where === 's3' ? 'S3' : t('backups.whereLocal')}</td>
                  <td>{b.scheduled ? <span class="tag">{t('backups.scheduled')}</span> : t('backups.onDemand')}</td>
                  <td class="row">
                    <button type="button" class="btn btn-small" disabled={downloading === b.name} onClick={() => void download(b)} data-testid="backup-download">
                      {downloading === b.name ? t('common.running') : t('backups.download')}
                    </button>
                    <button type="button" class="btn btn-small btn-danger" onClick={() => setDeleting(b)} data-testid="backup-delete">
                      {t('common.delete')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {deleting && (
        <Confirm
          title={t('backups.deleteTitle')}
          message={t('backups.deleteMessage', { name: deleting.name })}
          action={t('common.delete')}
          onConfirm={async () => {
            await deleteBackup(deleting.name);
            ok(t('common.deleted'));
            void load();
          }}
          onClose={() => setDeleting(null)}
        />
      )}
    </section>
  );
}
