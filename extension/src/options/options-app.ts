// The options page: the settings form (settings-form.ts; nothing invalid is saved), the paused
// sites (paused-sites.ts), where checks run (where-checks-run.ts), clearing the cache, and the
// host's diagnostics (diagnostics.ts).

import browser from 'webextension-polyfill';
import { byId } from '../ui/dom.js';
import { renderDoctorHint } from '../ui/host-status-view.js';
import { localizePage, t } from '../ui/i18n.js';
import { askBackground } from '../ui/messaging.js';
import { loadSettings } from '../ui/settings-store.js';
import { wireDiagnostics } from './diagnostics.js';
import { wirePausedSites } from './paused-sites.js';
import { wireSettingsForm } from './settings-form.js';
import { formFromSettings } from './validate.js';
import { wireWhereChecksRun } from './where-checks-run.js';

export interface OptionsHandle {
  /** Settles when the stored settings are in the form and the status is shown. */
  ready: Promise<void>;
}

export function startOptions(): OptionsHandle {
  localizePage();
  byId('extension-version').textContent = browser.runtime.getManifest().version;
  byId('doctor-hint').replaceChildren(renderDoctorHint('optionsDoctorHint'));

  const form = wireSettingsForm();
  const paused = wirePausedSites();
  wireClearCache();
  const ready = Promise.all([
    loadSettings().then((settings) => {
      form.fill(formFromSettings(settings));
      paused.show(settings.pausedSites);
    }),
    wireDiagnostics(),
    wireWhereChecksRun(),
  ]).then(() => undefined);
  return { ready };
}

function wireClearCache(): void {
  const status = byId('clear-cache-status');
  byId('clear-cache').addEventListener('click', () => {
    status.textContent = t('optionsClearing');
    askBackground({ kind: 'clear-cache' }).then(
      (reply) => {
        status.textContent = t('optionsCacheCleared', [String(reply.cleared)]);
      },
      () => {
        status.textContent = t('optionsCacheClearFailed');
      },
    );
  });
}
