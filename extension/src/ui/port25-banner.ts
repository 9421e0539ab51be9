// The banner the popup and the welcome page show while the host reports outbound port 25
// blocked on this network: what it means, and the two fixes (a team server, a SOCKS5 proxy).

import { el } from './dom.js';
import { t } from './i18n.js';

/**
 * The README section on port 25 and its two fixes. The one place the extension names it: change
 * it here if the project's README moves.
 */
export const PORT25_HELP_URL = 'https://github.com/mxlens/mxlens#port-25-and-proxies';

export interface Port25BannerActions {
  /** Opens the options page (the SOCKS5 proxy setting). */
  onOptions: () => void;
}

export function renderPort25Banner(actions: Port25BannerActions): HTMLElement {
  const options = el('button', { className: 'link-button', text: t('popupOptions'), attrs: { type: 'button' } });
  options.addEventListener('click', actions.onOptions);
  return el('div', { className: 'banner banner--warn', attrs: { role: 'status' } }, [
    el('p', { className: 'banner__title', text: t('port25BannerTitle') }),
    el('p', { text: t('port25BannerText') }),
    el('p', { className: 'actions' }, [
      el('a', { text: t('port25BannerLink'), attrs: { href: PORT25_HELP_URL, target: '_blank', rel: 'noopener noreferrer' } }),
      options,
    ]),
  ]);
}

/** Shows the banner in `slot` when the host says port 25 is blocked; hides it otherwise. */
export function showPort25Banner(slot: HTMLElement, blocked: boolean, actions: Port25BannerActions): void {
  slot.hidden = !blocked;
  if (!blocked) return slot.replaceChildren();
  if (slot.childElementCount === 0) slot.replaceChildren(renderPort25Banner(actions));
}
