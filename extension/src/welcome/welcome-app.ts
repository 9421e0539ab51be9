// The first-run page and setup guide: what MX Lens does, whether the host is installed (if not,
// what it needs and the exact commands, with "Check again"), and what automatic checks send to
// whom, with the quieter modes one click away.

import browser from 'webextension-polyfill';
import type { HostStatus } from '../shared/status.js';
import { byId } from '../ui/dom.js';
import { renderHostStatus } from '../ui/host-status-view.js';
import { showPort25Banner } from '../ui/port25-banner.js';
import type { AutoMode } from '../shared/settings.js';
import { announce } from '../ui/copy.js';
import { localizePage, t } from '../ui/i18n.js';
import { askBackground } from '../ui/messaging.js';
import { loadSettings, saveSettings } from '../ui/settings-store.js';

/** While the background says "connecting", ask again this often, at most this many times. */
export const POLL_INTERVAL_MS = 1000;
const POLL_LIMIT = 30;

export interface WelcomeHandle {
  /** Settles when the first answer about the host is shown (after any "connecting"). */
  ready: Promise<void>;
  /** Settles when the automatic-check mode in force is shown. */
  modeReady: Promise<void>;
  /** Sends `reconnect` and shows the answer (the "Check again" button). */
  checkAgain: () => Promise<void>;
  /** Settles when the host's report on port 25 is shown (the banner, or none). */
  networkReady: Promise<void>;
}

export function startWelcome(): WelcomeHandle {
  localizePage();

  const statusBox = byId('welcome-status');
  const ready = byId('welcome-ready');
  const missing = byId('welcome-missing');
  const checkButton = byId<HTMLButtonElement>('welcome-check-again');

  function show(status: HostStatus): void {
    statusBox.replaceChildren(renderHostStatus(status));
    ready.hidden = status.state !== 'connected';
    missing.hidden = status.state !== 'failed' && status.state !== 'disconnected';
    checkButton.disabled = status.state === 'connecting';
  }

  const wait = (ms: number) => new Promise<void>((resolve) => window.setTimeout(resolve, ms));

  /** Follows a "connecting" status until it settles. */
  async function settle(first: HostStatus): Promise<void> {
    let status = first;
    for (let polls = 0; status.state === 'connecting' && polls < POLL_LIMIT; polls += 1) {
      show(status);
      await wait(POLL_INTERVAL_MS);
      status = await askBackground({ kind: 'get-status' });
    }
    show(status);
  }

  function failedToAsk(error: unknown): HostStatus {
    return {
      state: 'failed',
      problem: { code: 'unknown', message: '', fix: '', raw: error instanceof Error ? error.message : String(error) },
    };
  }

  async function checkAgain(): Promise<void> {
    show({ state: 'connecting' });
    try {
      await settle(await askBackground({ kind: 'reconnect' }));
    } catch (error) {
      show(failedToAsk(error));
    }
  }

  checkButton.addEventListener('click', () => void checkAgain());
  byId('welcome-open-options').addEventListener('click', () => void browser.runtime.openOptionsPage());

  const modeReady = wireModeChoice();

  show({ state: 'connecting' });
  const first = (async () => {
    try {
      const status = await askBackground({ kind: 'get-status' });
      // Nothing has asked for the host yet: ask the background to connect now.
      if (status.state === 'disconnected') await settle(await askBackground({ kind: 'reconnect' }));
      else await settle(status);
    } catch (error) {
      show(failedToAsk(error));
    }
  })();
  // "You're set" is only half true where port 25 is blocked: the banner says what to do.
  const networkReady = askBackground({ kind: 'get-network' }).then(
    (network) =>
      showPort25Banner(byId('port25-banner'), network?.port25Blocked === true, {
        onOptions: () => void browser.runtime.openOptionsPage(),
      }),
    () => undefined,
  );
  return { ready: first, modeReady, checkAgain, networkReady };
}

/** The automatic-check mode as radio buttons: a click saves it, as the options page would. */
async function wireModeChoice(): Promise<void> {
  const saved = byId('welcome-mode-saved');
  const radios = Array.from(byId('welcome-mode').querySelectorAll<HTMLInputElement>('input[name="autoMode"]'));
  const settings = await loadSettings();
  for (const radio of radios) {
    radio.checked = radio.value === settings.autoMode;
    radio.addEventListener('change', () => {
      if (!radio.checked) return;
      void loadSettings()
        .then((current) => saveSettings({ ...current, autoMode: radio.value as AutoMode }))
        .then(
          () => announce(saved, t('welcomeModeSaved')),
          () => announce(saved, t('welcomeModeSaveFailed')),
        );
    });
  }
}
