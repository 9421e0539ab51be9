// The words of a pending card: what the check is doing (the host's progress reports) and how long
// it has been running.

import type { CheckStage } from '../../shared/messages.js';
import type { AddressEntry } from '../core/address-book.js';
import { t } from '../core/i18n.js';

/** The card's two lines while a check runs: the stage in words, and the time since it was asked. */
export function pendingText(
  pending: NonNullable<AddressEntry['pending']>,
  now: number,
): { stage: string; elapsed: string } {
  return {
    stage: stageWords(pending.stage, now - pending.stageAt),
    elapsed: t('contentCardElapsed', [seconds(now - pending.since)]),
  };
}

/** `sinceReportMs`: time since the stage was reported (a greylisting wait counts down from it). */
function stageWords(stage: CheckStage | null, sinceReportMs: number): string {
  switch (stage?.stage) {
    case 'dns':
      return t('contentStageDns');
    case 'budget':
      return t('contentStageBudget');
    case 'connecting':
      return t('contentStageConnecting', [stage.host]);
    case 'smtp':
      return t('contentStageSmtp', [stage.host]);
    case 'greylisted':
      return t('contentStageGreylisted', [stage.host, seconds(stage.waitMs - sinceReportMs)]);
    default:
      // Not reported yet, or a stage a newer host knows and this extension does not.
      return t('contentCardChecking');
  }
}

function seconds(ms: number): string {
  return String(Math.max(0, Math.round(ms / 1000)));
}
