// The popup's top: the host's status (or, until it is installed, only how to set it up) and the
// port-25 banner, kept current from the background's answers and the checks port's events.

import browser from 'webextension-polyfill';
import type { HostStatus } from '../shared/status.js';
import { byId } from '../ui/dom.js';
import { needsSetup, renderHostStatus } from '../ui/host-status-view.js';
import { askBackground } from '../ui/messaging.js';
import { showPort25Banner } from '../ui/port25-banner.js';

export interface HostHeader {
  showStatus(status: HostStatus): void;
  showPort25(blocked: boolean): void;
}

export function startHostHeader(): HostHeader {
  const hostStatus = byId('host-status');
  const setupActions = byId('setup-actions');
  const port25Slot = byId('port25-banner');
  const port25Actions = { onOptions: () => void browser.runtime.openOptionsPage() };

  const showPort25 = (blocked: boolean) => showPort25Banner(port25Slot, blocked, port25Actions);
  const showStatus = (status: HostStatus): void => {
    hostStatus.replaceChildren(renderHostStatus(status, { compact: true, onRetry: reconnect }));
    const setup = needsSetup(status);
    document.body.classList.toggle('needs-setup', setup);
    setupActions.hidden = !setup;
  };
  const reconnect = (): void => {
    showStatus({ state: 'connecting' });
    askBackground({ kind: 'reconnect' }).then(showStatus, () => showStatus({ state: 'disconnected' }));
  };

  showStatus({ state: 'connecting' });
  askBackground({ kind: 'get-status' }).then(showStatus, () => showStatus({ state: 'disconnected' }));
  // The host's report on port 25, from the background, then as it changes and from every result.
  askBackground({ kind: 'get-network' }).then(
    (network) => showPort25(network?.port25Blocked === true),
    () => undefined,
  );
  return { showStatus, showPort25 };
}
