/** The language switch (中文 / English), kept across visits. */
import { lang, setLang, t, type Lang } from '../i18n';

export function LangSwitch() {
  return (
    <label class="lang">
      <span class="sr-only">{t('lang.label')}</span>
      <select value={lang.value} onChange={(e) => setLang(e.currentTarget.value as Lang)} data-testid="lang-switch" aria-label={t('lang.label')}>
        <option value="zh-CN">{t('lang.zh-CN')}</option>
        <option value="en">{t('lang.en')}</option>
      </select>
    </label>
  );
}
