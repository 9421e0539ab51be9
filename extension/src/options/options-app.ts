// The options page: edits the settings in storage.local (validated first; nothing invalid is
// saved), lists the paused sites, clears the cache, and shows diagnostics about the host.

import browser from 'webextension-polyfill';
import type { HostStatus } from '../shared/status.js';
import { byId, el } from '../ui/dom.js';
import { renderDoctorHint, renderHostStatus } from '../ui/host-status-view.js';
import type { MessageKey } from '../shared/i18n.js';
import { localizePage, t, uiLanguage } from '../ui/i18n.js';
import { askBackground } from '../ui/messaging.js';
import { loadSettings, saveSettings, SETTINGS_KEY } from '../ui/settings-store.js';
import { formFromSettings, validateOptions, type FormField, type OptionsForm } from './validate.js';
import { wireWhereChecksRun } from './where-checks-run.js';

const TEXT_FIELDS = ['sender', 'heloName', 'proxy', 'timeoutSeconds', 'perPageLimit', 'cacheTtlMinutes'] as const;
const ALL_FIELDS: readonly FormField[] = [...TEXT_FIELDS, 'catchAll', 'autoMode'];

export interface OptionsHandle {
  /** Settles when the stored settings are in the form and the status is shown. */
  ready: Promise<void>;
}

export function startOptions(): OptionsHandle {
  localizePage();

  const form = byId<HTMLFormElement>('options-form');
  const saveStatus = byId('save-status');
  const catchAll = byId<HTMLInputElement>('catchAll');
  const pausedList = byId<HTMLUListElement>('paused-list');
  const pausedEmpty = byId('paused-empty');
  const pausedStatus = byId('paused-status');
  const clearStatus = byId('clear-cache-status');
  const diagnostics = byId('diagnostics-status');
  const lastError = byId('diagnostics-last-error');

  byId('extension-version').textContent = browser.runtime.getManifest().version;
  byId('doctor-hint').replaceChildren(renderDoctorHint('optionsDoctorHint'));

  const input = (id: (typeof TEXT_FIELDS)[number]) => byId<HTMLInputElement>(id);
  const radios = () => Array.from(form.querySelectorAll<HTMLInputElement>('input[name="autoMode"]'));

  function fillForm(values: OptionsForm): void {
    for (const field of TEXT_FIELDS) input(field).value = values[field];
    catchAll.checked = values.catchAll;
    for (const radio of radios()) radio.checked = radio.value === values.autoMode;
  }

  function readForm(): OptionsForm {
    return {
      sender: input('sender').value,
      heloName: input('heloName').value,
      proxy: input('proxy').value,
      timeoutSeconds: input('timeoutSeconds').value,
      perPageLimit: input('perPageLimit').value,
      cacheTtlMinutes: input('cacheTtlMinutes').value,
      catchAll: catchAll.checked,
      autoMode: radios().find((radio) => radio.checked)?.value ?? '',
    };
  }

  function clearErrors(): void {
    for (const field of ALL_FIELDS) {
      byId(field).removeAttribute('aria-invalid');
      const error = document.getElementById(`${field}-error`);
      if (error) error.textContent = '';
    }
  }

  // ------------------------------------------------------------ saving
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void save();
  });

  async function save(): Promise<void> {
    clearErrors();
    saveStatus.textContent = '';
    const check = validateOptions(readForm());
    if (!check.ok) {
      for (const error of check.errors) {
        byId(error.field).setAttribute('aria-invalid', 'true');
        const slot = document.getElementById(`${error.field}-error`);
        if (slot) slot.textContent = t(error.key as MessageKey, error.substitutions);
      }
      saveStatus.textContent = t('optionsNotSaved');
      const first = check.errors[0];
      if (first) {
        const target = first.field === 'autoMode' ? radios()[0] : byId(first.field);
        target?.focus();
      }
      return;
    }
    try {
      // Paused sites come from storage as they are now: the popup may have changed them.
      const current = await loadSettings();
      await saveSettings({ ...current, ...check.settings });
      fillForm(formFromSettings({ ...current, ...check.settings }));
      saveStatus.textContent = t('optionsSaved');
    } catch (error) {
      saveStatus.textContent = t('optionsSaveFailed', [error instanceof Error ? error.message : String(error)]);
    }
  }

  // ------------------------------------------------------------ paused sites
  function showPaused(sites: readonly string[]): void {
    pausedEmpty.hidden = sites.length > 0;
    pausedList.replaceChildren(
      ...sites.map((site) => {
        const remove = el('button', {
          className: 'button button--small',
          text: t('optionsPausedRemove'),
          attrs: { type: 'button', 'aria-label': t('optionsPausedRemoveLabel', [site]) },
        });
        remove.addEventListener('click', () => void resume(site));
        return el('li', { className: 'site-row' }, [el('span', { className: 'address', text: site }), remove]);
      }),
    );
  }

  async function resume(site: string): Promise<void> {
    try {
      await askBackground({ kind: 'set-site-paused', origin: site, paused: false });
    } catch {
      // The background may be asleep or gone; the list in storage is what counts.
    }
    const settings = await loadSettings();
    if (settings.pausedSites.includes(site)) {
      settings.pausedSites = settings.pausedSites.filter((entry) => entry !== site);
      await saveSettings(settings);
    }
    showPaused(settings.pausedSites);
    pausedStatus.textContent = t('optionsPausedRemoved', [site]);
  }

  browser.storage.onChanged.addListener((changes, area) => {
    if (area !== 'local' || !(SETTINGS_KEY in changes)) return;
    void loadSettings().then((settings) => showPaused(settings.pausedSites));
  });

  // ------------------------------------------------------------ cache
  byId('clear-cache').addEventListener('click', () => {
    clearStatus.textContent = t('optionsClearing');
    askBackground({ kind: 'clear-cache' }).then(
      (reply) => {
        clearStatus.textContent = t('optionsCacheCleared', [String(reply.cleared)]);
      },
      () => {
        clearStatus.textContent = t('optionsCacheClearFailed');
      },
    );
  });

  // ------------------------------------------------------------ diagnostics
  function showStatus(status: HostStatus): void {
    diagnostics.replaceChildren(renderHostStatus(status, { onRetry: reconnect, hideDoctor: true }));
    lastError.replaceChildren();
    if (status.state === 'connected' && status.lastError) {
      const { message, raw, at } = status.lastError;
      const when = new Date(at).toLocaleString(uiLanguage());
      lastError.append(
        el('h3', { text: t('optionsLastError') }),
        el('p', {}, [el('span', { text: message }), ' ', el('span', { className: 'muted', text: `(${when})` })]),
      );
      if (raw) lastError.append(el('pre', { className: 'smtp-reply', text: raw }));
    }
  }

  function refresh(): Promise<void> {
    return askBackground({ kind: 'get-status' }).then(showStatus, () => showStatus({ state: 'disconnected' }));
  }

  function reconnect(): void {
    showStatus({ state: 'connecting' });
    askBackground({ kind: 'reconnect' }).then(showStatus, () => showStatus({ state: 'disconnected' }));
  }

  byId('refresh-status').addEventListener('click', () => void refresh());

  showStatus({ state: 'connecting' });
  const ready = Promise.all([
    loadSettings().then((settings) => {
      fillForm(formFromSettings(settings));
      showPaused(settings.pausedSites);
    }),
    refresh(),
    wireWhereChecksRun(),
  ]).then(() => undefined);
  return { ready };
}
