// "Verify this address" in the context menu of a selection or a mailto: link. A click shows a
// card in the page (the content script draws it) at once, as "checking", then again with the
// result or with why there is none.

import type { ContentRequest } from '../shared/messages.js';
import type { ApiContextMenus, ApiI18n, ApiTabs, MenuClickInfo } from './browser-api.js';
import type { CheckOutcome } from './checks.js';
import { findAddresses } from '../../../native-host/shared/address/find-addresses.js';
import { isMailto, mailtoRecipients, percentDecode } from '../../../native-host/shared/address/mailto.js';
import { translate } from '../shared/i18n.js';

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

/** The most of a selection kept as the card's `input`. */
const MAX_INPUT_LENGTH = 256;

/**
 * What a click points at: the address (or null) and what the user selected or linked. The
 * address is found as the page scanner finds it, so the card and the page's badge share a key.
 */
export function addressOfClick(info: Pick<MenuClickInfo, 'selectionText' | 'linkUrl'>): {
  address: string | null;
  input: string;
} {
  if (isMailto(info.linkUrl)) {
    return { address: mailtoRecipients(info.linkUrl)[0] ?? null, input: shortened(percentDecode(info.linkUrl)) };
  }
  const selection = info.selectionText ?? '';
  return { address: findAddresses(selection)[0]?.address ?? null, input: shortened(selection) };
}

function shortened(text: string): string {
  const oneLine = text.trim().replace(/\s+/g, ' ');
  return oneLine.length > MAX_INPUT_LENGTH ? `${oneLine.slice(0, MAX_INPUT_LENGTH - 1)}…` : oneLine;
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
    await checkWithCard(deps, tabId, info.frameId ?? 0, addressOfClick(info));
  };
}

/**
 * A card in the page at once ("checking", or "no address" when `address` is null), then again
 * with the result or with why there is none. Without a frameId every frame hears it and the one
 * the user is in shows it.
 */
export async function checkWithCard(
  deps: ContextMenuDeps,
  tabId: number,
  frameId: number | undefined,
  pointed: { address: string | null; input: string },
): Promise<void> {
  const { address, input } = pointed;
  const show = async (card: ContentRequest & { kind: 'show-card' }) => {
    try {
      await deps.tabs.sendMessage(tabId, card, frameId === undefined ? undefined : { frameId });
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
}
