/** What a page not built yet shows (the Storage, Users, Functions and Logs pages until they are filled in). */
import { t, type Key } from '../i18n';

export function Placeholder(props: { title: Key }) {
  return (
    <section class="page">
      <h1>{t(props.title)}</h1>
      <div class="card placeholder">
        <h2>{t('placeholder.title')}</h2>
        <p>{t('placeholder.body')}</p>
      </div>
    </section>
  );
}
