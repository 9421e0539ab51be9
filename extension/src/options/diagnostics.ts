// The host's status for the options page, with the last error it reported, a refresh and a
// reconnect.

import type { HostStatus } from '../shared/status.js';
import { byId, el } from '../ui/dom.js';
import { renderHostStatus } from '../ui/host-status-view.js';
import { t, uiLanguage } from '../ui/i18n.js';
import { askBackground } from '../ui/messaging.js';

/** Settles once the status is shown. */
export function wireDiagnostics(): Promise<void> {
  const diagnostics = byId('diagnostics-status');
  const lastError = byId('diagnostics-last-error');

  function show(status: HostStatus): void {
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
    return askBackground({ kind: 'get-status' }).then(show, () => show({ state: 'disconnected' }));
  }

  function reconnect(): void {
    show({ state: 'connecting' });
    askBackground({ kind: 'reconnect' }).then(show, () => show({ state: 'disconnected' }));
  }

  byId('refresh-status').addEventListener('click', () => void refresh());
  show({ state: 'connecting' });
  return refresh();
}
