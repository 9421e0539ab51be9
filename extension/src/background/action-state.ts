// The toolbar icon says the state at a glance, per tab: how many addresses the page has asked
// about, "off" where MX Lens is paused on the site, "25" everywhere while the host reports
// outbound port 25 blocked on this network (its `network` report, or results with reason
// port_blocked), and "!" everywhere
// while the host needs setting up (the popup then shows only the setup). Colours only back up
// text and title.

import type { NetworkRoute } from '../../../native-host/shared/protocol/messages.js';
import type { VerificationResult } from '../shared/messages.js';
import type { HostStatus } from '../shared/status.js';
import type { ApiAction, ApiI18n } from './browser-api.js';
import { translate, type MessageKey } from '../shared/i18n.js';

/** Problems only an install fixes (the same set the pages treat as "set up needed"). */
const SETUP_CODES = new Set(['host_not_installed', 'host_forbidden', 'host_outdated']);

const COLOURS = { count: '#1f5fbf', paused: '#555d68', setup: '#a4161a', blocked: '#8a5200' } as const;

interface TabState {
  url: string;
  addresses: Set<string>;
  paused: boolean;
}

export interface ActionLook {
  text: string;
  /** When set, the text is this message (translated) instead. */
  textKey?: MessageKey;
  colour: string;
  titleKey: MessageKey;
  titleSubstitutions: string[];
}

/** What the icon shows for one tab: pure, so the rules are tested without a browser. */
export function actionLook(
  setupNeeded: boolean,
  tab: { addresses: number; paused: boolean } | null,
  port25Blocked = false,
): ActionLook {
  if (setupNeeded) return { text: '!', colour: COLOURS.setup, titleKey: 'actionTitleSetup', titleSubstitutions: [] };
  if (tab?.paused)
    return {
      text: '',
      textKey: 'actionBadgePaused',
      colour: COLOURS.paused,
      titleKey: 'actionTitlePaused',
      titleSubstitutions: [],
    };
  if (port25Blocked)
    return { text: '25', colour: COLOURS.blocked, titleKey: 'actionTitlePort25', titleSubstitutions: [] };
  if (tab && tab.addresses > 0) {
    const text = tab.addresses > 999 ? '999+' : String(tab.addresses);
    return { text, colour: COLOURS.count, titleKey: 'actionTitleCount', titleSubstitutions: [String(tab.addresses)] };
  }
  return { text: '', colour: COLOURS.count, titleKey: 'actionTitle', titleSubstitutions: [] };
}

/**
 * Port 25 as the host reports it: blocked from a port_blocked result (the host judged it from
 * several mail servers) until a result carries a mail server's reply again.
 */
export function port25BlockedAfter(wasBlocked: boolean, result: Pick<VerificationResult, 'reason' | 'smtp'>): boolean {
  if (result.reason === 'port_blocked') return true;
  return result.smtp !== null ? false : wasBlocked;
}

/** The host's own report on its routes (hello, `network` messages): is port 25 blocked on any? */
export function port25BlockedIn(routes: readonly NetworkRoute[]): boolean {
  return routes.some((route) => route.port === 25 && route.state === 'blocked');
}

export class ActionState {
  private readonly tabs = new Map<number, TabState>();
  private setupNeeded = false;
  /** The host's last word on port 25: a port_blocked result, until a mail server answers again. */
  private blocked = false;

  constructor(
    private readonly action: ApiAction,
    private readonly i18n: ApiI18n,
  ) {}

  /** A content script (frame `frameId` of `tabId`, at `url`) asked about these addresses. */
  pageAsked(tabId: number, frameId: number | undefined, url: string | undefined, addresses: readonly string[]): void {
    const tab = this.tab(tabId, frameId, url);
    const before = tab.addresses.size;
    for (const address of addresses) tab.addresses.add(address.trim().toLowerCase());
    if (tab.addresses.size !== before) this.show(tabId);
  }

  /** A content script connected: a new document in the top frame starts a new count. */
  pageConnected(tabId: number, frameId: number | undefined, url: string | undefined): void {
    this.tab(tabId, frameId, url);
  }

  sitePaused(tabId: number, paused: boolean): void {
    const tab = this.tabs.get(tabId) ?? { url: '', addresses: new Set<string>(), paused };
    tab.paused = paused;
    this.tabs.set(tabId, tab);
    this.show(tabId);
  }

  /** A new document in the top frame of `tabId`, on a paused site: "off" at once. */
  pageLoadedPaused(tabId: number, url: string | undefined): void {
    const tab = this.tab(tabId, 0, url);
    tab.paused = true;
    this.show(tabId);
  }

  tabClosed(tabId: number): void {
    this.tabs.delete(tabId);
  }

  hostStatus(status: HostStatus): void {
    if (status.state === 'connecting') return;
    const setupNeeded = status.state === 'failed' && SETUP_CODES.has(status.problem.code);
    if (setupNeeded === this.setupNeeded) return;
    this.setupNeeded = setupNeeded;
    this.showAll();
  }

  /**
   * Every result the host gives: the host says when port 25 is blocked (it judges that from its
   * connects to several mail servers); a mail server that answered proves it is open again.
   */
  sawResult(result: VerificationResult): void {
    const wasBlocked = this.blocked;
    this.blocked = port25BlockedAfter(wasBlocked, result);
    if (this.blocked !== wasBlocked) this.showAll();
  }

  /** The host's report on its network (at hello and whenever a route changes state). */
  sawNetwork(routes: readonly NetworkRoute[]): void {
    const wasBlocked = this.blocked;
    this.blocked = port25BlockedIn(routes);
    if (this.blocked !== wasBlocked) this.showAll();
  }

  /** For the popup and the welcome page's banner. */
  get port25Blocked(): boolean {
    return this.blocked;
  }

  private showAll(): void {
    this.show(undefined);
    for (const tabId of this.tabs.keys()) this.show(tabId);
  }

  private tab(tabId: number, frameId: number | undefined, url: string | undefined): TabState {
    let tab = this.tabs.get(tabId);
    const topFrame = frameId === 0 || frameId === undefined;
    if (!tab || (topFrame && url !== undefined && url !== tab.url)) {
      // A new document: paused only if it says so (pageLoadedPaused), whatever the last one was.
      const newDocument = topFrame && tab !== undefined;
      tab = {
        url: topFrame ? (url ?? '') : (tab?.url ?? ''),
        addresses: new Set(),
        paused: !newDocument && (tab?.paused ?? false),
      };
      this.tabs.set(tabId, tab);
      this.show(tabId);
    }
    return tab;
  }

  /** Sets text, colour and title for one tab, or the default (tabId undefined). */
  private show(tabId: number | undefined): void {
    const state = tabId === undefined ? null : (this.tabs.get(tabId) ?? null);
    const look = actionLook(
      this.setupNeeded,
      state && { addresses: state.addresses.size, paused: state.paused },
      this.port25Blocked,
    );
    const where = tabId === undefined ? {} : { tabId };
    const title = translate(this.i18n, look.titleKey, look.titleSubstitutions);
    const calls = [
      this.action.setBadgeText({ ...where, text: look.textKey ? translate(this.i18n, look.textKey) : look.text }),
      this.action.setBadgeBackgroundColor({ ...where, color: look.colour }),
      this.action.setTitle({ ...where, title }),
    ];
    for (const call of calls) {
      // A tab closed in the meantime: nothing to update.
      Promise.resolve(call).catch(() => undefined);
    }
  }
}
