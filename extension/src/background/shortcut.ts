// The "verify the selected address" keyboard shortcut (commands API): what the context menu does
// for a selection, without the mouse. The frame the user is in says what is selected; the card
// shows there. (The other shortcut, _execute_action, opens the popup: the browser handles it.)

import type { ContentReplies } from '../shared/messages.js';
import { addressOfClick, checkWithCard, type ContextMenuDeps } from './context-menu.js';

const VERIFY_SELECTION_COMMAND = 'verify-selection';

/** The commands.onCommand handler. Resolves once the final card was sent (or could not be). */
export function shortcutHandler(deps: ContextMenuDeps) {
  return async (command: string, tab?: { id?: number }): Promise<void> => {
    if (command !== VERIFY_SELECTION_COMMAND) return;
    const tabId = tab?.id;
    if (tabId === undefined || tabId < 0) return;
    const selectionText = await selectionIn(deps, tabId);
    await checkWithCard(deps, tabId, undefined, addressOfClick({ selectionText }));
  };
}

async function selectionIn(deps: Pick<ContextMenuDeps, 'tabs'>, tabId: number): Promise<string> {
  try {
    const reply = (await deps.tabs.sendMessage(tabId, { kind: 'get-selection' })) as
      Partial<ContentReplies['get-selection']> | undefined;
    return typeof reply?.text === 'string' ? reply.text : '';
  } catch {
    return ''; // no frame answered: nothing selected (or no content script there)
  }
}
