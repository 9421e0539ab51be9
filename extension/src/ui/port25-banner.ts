// The banner the popup and the welcome page show while the host reports outbound port 25
// blocked on this network: what it means, and the two fixes (a team server, a SOCKS5 proxy).

import { el } from './dom.js';
import { t } from './i18n.js';

export interface Port25BannerActions {
  /** Opens the options page: where checks run (a team server) and the SOCKS5 proxy. */
  onOptions: () => void;
}

function renderPort25Banner(actions: Port25BannerActions): HTMLElement {
  const options = el('button', { className: 'link-button', text: t('popupOptions'), attrs: { type: 'button' } });
  options.addEventListener('click', actions.onOptions);
  return el('div', { className: 'banner banner--warn', attrs: { role: 'status' } }, [
    el('p', { className: 'banner__title', text: t('port25BannerTitle') }),
    el('p', { text: t('port25BannerText') }),
    el('p', { className: 'actions' }, [options]),
  ]);
}

/** Shows the banner in `slot` when the host says port 25 is blocked; hides it otherwise. */
export function showPort25Banner(slot: HTMLElement, blocked: boolean, actions: Port25BannerActions): void {
  slot.hidden = !blocked;
  if (!blocked) return slot.replaceChildren();
  if (slot.childElementCount === 0) slot.replaceChildren(renderPort25Banner(actions));
}
