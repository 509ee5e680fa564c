import { useEffect, useState } from 'react';
import { browser } from 'wxt/browser';
import { t } from '@/utils/i18n';
import { ADAPTERS, originPatternsForRule, validateRule, type MerchantRule } from '@/utils/sites';
import { disabledSites, getRules, setRules, setSiteEnabled } from '@/utils/settings';

/** Supported seller centres, the merchant's own rules (host + optional selector), switched-off sites. */
export function SitesView() {
  const [rules, setRulesState] = useState<MerchantRule[]>([]);
  const [off, setOff] = useState<string[]>([]);
  const [host, setHost] = useState('');
  const [selector, setSelector] = useState('');
  const [error, setError] = useState('');
  const reload = async () => {
    setRulesState(await getRules());
    setOff(await disabledSites());
  };
  useEffect(() => void reload(), []);

  const add = async (e: React.FormEvent) => {
    e.preventDefault();
    setError('');
    const checked = validateRule({ host, selector: selector || undefined });
    if (!checked.ok) return setError(t(checked.error));
    // Asked now, from this click, for exactly this host; nothing is requested up front.
    const granted = await browser.permissions.request({ origins: originPatternsForRule(checked.rule) }).catch(() => false);
    if (!granted) return setError(t('sites_permission_denied'));
    await setRules([...rules.filter((r) => r.host !== checked.rule.host), checked.rule]);
    setHost('');
    setSelector('');
    await reload();
  };

  const remove = async (rule: MerchantRule) => {
    await setRules(rules.filter((r) => r !== rule));
    const others = ADAPTERS.some((a) => a.matches.some((m) => m.includes(rule.host)));
    if (!others) await browser.permissions.remove({ origins: originPatternsForRule(rule) }).catch(() => false);
    await reload();
  };

  return (
    <div>
      <h2 style={{ fontSize: 16 }}>{t('sites_supported')}</h2>
      <ul>
        {ADAPTERS.map((a) => (
          <li key={a.id}><b>{a.name}</b> <span className="muted">{a.matches.map((m) => m.replace(/^\*:\/\/|\/\*$/g, '')).join(', ')}</span></li>
        ))}
      </ul>
      <h2 style={{ fontSize: 16 }}>{t('sites_rules')}</h2>
      <p className="muted">{t('sites_rules_help')}</p>
      <form onSubmit={add} style={{ display: 'flex', gap: 8, flexWrap: 'wrap', alignItems: 'end' }} data-refundlens="rule-form">
        <label>{t('sites_rule_host')}<br /><input value={host} onChange={(e) => setHost(e.target.value)} placeholder="erp.example.com" required /></label>
        <label>{t('sites_rule_selector')}<br /><input value={selector} onChange={(e) => setSelector(e.target.value)} placeholder=".refund-evidence img" /></label>
        <button className="primary" type="submit">{t('sites_rule_add')}</button>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
      <table style={{ marginTop: 8 }}>
        <tbody>
          {rules.map((r) => (
            <tr key={r.host}>
              <td>{r.host}</td>
              <td><code>{r.selector ?? t('sites_rule_auto')}</code></td>
              <td><button className="danger" onClick={() => void remove(r)}>{t('lib_delete')}</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      {off.length > 0 && (
        <>
          <h2 style={{ fontSize: 16 }}>{t('sites_off')}</h2>
          <ul>
            {off.map((h) => (
              <li key={h}>{h} <button onClick={async () => { await setSiteEnabled(h, true); await reload(); }}>{t('sites_turn_on')}</button></li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
