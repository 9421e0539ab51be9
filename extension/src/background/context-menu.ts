// "Verify this address" in the context menu of a selection or a mailto: link. A click shows a
// card in the page (the content script draws it) at once, as "checking", then again with the
// result or with why there is none.

import type { ContentRequest } from '../shared/messages.js';
import type { ApiContextMenus, ApiI18n, ApiTabs, MenuClickInfo } from './browser-api.js';
import type { CheckOutcome } from './checks.js';
import { addressFromMailto, describeInput, firstAddressIn } from './extract-address.js';
import { translate } from './i18n.js';

export const MENU_ID = 'mxlens-verify';

/** (Re)creates the menu item: on install, update and browser start (menus may not persist everywhere). */
export async function createContextMenu(menus: ApiContextMenus, i18n: ApiI18n): Promise<void> {
  await menus.removeAll();
  menus.create({
    id: MENU_ID,
    title: translate(i18n, 'contextMenuVerify'),
    contexts: ['selection', 'link'],
    // For links only mailto: matters; the pattern does not restrict selections.
    targetUrlPatterns: ['mailto:*'],
  });
}

/** What a click points at: the address (or null) and what the user selected or linked. */
export function addressOfClick(info: Pick<MenuClickInfo, 'selectionText' | 'linkUrl'>): { address: string | null; input: string } {
  const mailto = info.linkUrl && /^mailto:/i.test(info.linkUrl) ? info.linkUrl : undefined;
  const address = (mailto ? addressFromMailto(mailto) : null) ?? firstAddressIn(info.selectionText);
  return { address, input: describeInput(mailto ? undefined : info.selectionText, mailto) };
}

export interface ContextMenuDeps {
  tabs: Pick<ApiTabs, 'sendMessage'>;
  check: (address: string) => Promise<CheckOutcome>;
}

/** The onClicked handler. Resolves once the final card was sent (or could not be). */
export function contextMenuHandler(deps: ContextMenuDeps) {
  return async (info: MenuClickInfo, tab?: { id?: number }): Promise<void> => {
    if (info.menuItemId !== MENU_ID) return;
    const tabId = tab?.id;
    if (tabId === undefined || tabId < 0) return;
    const frameId = info.frameId ?? 0;
    const { address, input } = addressOfClick(info);
    const show = async (card: ContentRequest & { kind: 'show-card' }) => {
      try {
        await deps.tabs.sendMessage(tabId, card, { frameId });
      } catch (error) {
        // No content script in that frame (a browser page, or a tab opened before install).
        console.warn('MX Lens: could not show the card in the page:', error);
      }
    };
    await show({ kind: 'show-card', address, input, result: null });
    if (address === null) return;
    const outcome = await deps.check(address);
    if ('result' in outcome) await show({ kind: 'show-card', address, input, result: outcome.result });
    else await show({ kind: 'show-card', address, input, result: null, problem: outcome.problem });
  };
}
