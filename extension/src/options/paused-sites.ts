// The sites MX Lens is paused on, each with a button that resumes it; kept current when the
// popup pauses or resumes a site meanwhile.

import browser from 'webextension-polyfill';
import { changedSettings } from '../shared/settings-storage.js';
import { byId, el } from '../ui/dom.js';
import { t } from '../ui/i18n.js';
import { askBackground } from '../ui/messaging.js';
import { loadSettings, saveSettings } from '../ui/settings-store.js';

export interface PausedSites {
  show(sites: readonly string[]): void;
}

export function wirePausedSites(): PausedSites {
  const list = byId<HTMLUListElement>('paused-list');
  const empty = byId('paused-empty');
  const status = byId('paused-status');

  function show(sites: readonly string[]): void {
    empty.hidden = sites.length > 0;
    list.replaceChildren(
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
    show(settings.pausedSites);
    status.textContent = t('optionsPausedRemoved', [site]);
  }

  browser.storage.onChanged.addListener((changes, area) => {
    const settings = changedSettings(changes, area);
    if (settings) show(settings.pausedSites);
  });
  return { show };
}
