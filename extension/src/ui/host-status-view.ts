// The connection to the native host, as every page shows it: connected with its version, or
// what went wrong and the exact command that fixes it, ready to copy.

import browser from 'webextension-polyfill';
import type { HostProblemCode, HostStatus } from '../shared/status.js';
import { renderCopyableCode } from './copy.js';
import { el } from './dom.js';
import type { MessageKey } from '../shared/i18n.js';
import { t } from './i18n.js';

const DOCTOR_COMMAND = 'mxlens doctor';

/** Problems whose fix is installing the host release that matches this extension. */
const INSTALL_PROBLEMS: ReadonlySet<HostProblemCode> = new Set(['host_not_installed', 'host_outdated']);

/** Problems no check can get past until the user sets the host up: pages show one call to action. */
const SETUP_PROBLEMS: ReadonlySet<HostProblemCode> = new Set([...INSTALL_PROBLEMS, 'host_forbidden']);

export function needsSetup(status: HostStatus): boolean {
  return status.state === 'failed' && SETUP_PROBLEMS.has(status.problem.code);
}

function extensionVersion(): string {
  try {
    return browser.runtime.getManifest().version;
  } catch {
    return '';
  }
}

export interface HostStatusViewOptions {
  /** Shows a "Check again" button that calls this. */
  onRetry?: () => void;
  /** Leave out the doctor hint and the technical details (the popup's header). */
  compact?: boolean;
  /** Leave out the doctor hint: the page shows it elsewhere (options' diagnostics). */
  hideDoctor?: boolean;
}

function line(className: string, icon: string, text: string): HTMLElement {
  return el('p', { className: `host-status__line ${className}` }, [
    el('span', { className: 'host-status__icon', text: icon, attrs: { 'aria-hidden': 'true' } }),
    el('span', { text }),
  ]);
}

/** The doctor command with a sentence saying what it does (by default: "Still not working? …"). */
export function renderDoctorHint(introKey: MessageKey = 'statusDoctorHint'): HTMLElement {
  return el('div', { className: 'doctor-hint' }, [
    el('p', { text: t(introKey) }),
    renderCopyableCode(DOCTOR_COMMAND, t('statusDoctorLabel')),
  ]);
}

export function renderHostStatus(status: HostStatus, options: HostStatusViewOptions = {}): HTMLElement {
  const view = el('div', { className: `host-status host-status--${status.state}` });
  switch (status.state) {
    case 'disconnected':
      view.append(line('host-status--muted', '○', t('statusDisconnected')));
      break;
    case 'connecting':
      view.append(
        line('', '…', t('statusConnecting')),
        el('progress', { className: 'host-status__progress', attrs: { 'aria-label': t('statusConnecting') } }),
      );
      break;
    case 'connected': {
      if (status.server !== undefined)
        view.append(line('host-status--ok', '✓', t('statusRunsOnServer', [status.server])));
      else
        view.append(
          line('host-status--ok', '✓', t('statusConnected', [status.hostVersion])),
          el('p', { className: 'host-status__where', text: t('statusRunsOnThisComputer') }),
        );
      if (status.settingsProblems.length > 0) {
        view.append(
          el('p', { className: 'host-status__note', text: t('statusSettingsProblems') }),
          el(
            'ul',
            { className: 'host-status__problems' },
            status.settingsProblems.map((problem) =>
              el('li', {}, [el('code', { text: problem.setting }), ': ', problem.message]),
            ),
          ),
        );
      }
      break;
    }
    case 'failed': {
      const { problem } = status;
      view.append(line('host-status--problem', '✗', problem.message || t('statusFailedUnknown')));
      if (problem.fix) {
        // What the install command needs (Node, the release file) is said before the command.
        const intro = INSTALL_PROBLEMS.has(problem.code)
          ? t('statusInstallIntro', [extensionVersion()])
          : t('statusFixIntro');
        view.append(
          el('p', { className: 'host-status__note', text: intro }),
          renderCopyableCode(problem.fix, t('statusFixLabel')),
        );
      }
      if (!options.compact) {
        if (!options.hideDoctor) view.append(renderDoctorHint());
        if (problem.raw) {
          view.append(
            el('details', { className: 'host-status__raw' }, [
              el('summary', { text: t('statusTechnicalDetails') }),
              el('pre', { text: problem.raw }),
            ]),
          );
        }
      } else {
        view.append(
          el('p', { className: 'host-status__note' }, [
            t('statusDoctorShort') + ' ',
            el('code', { text: DOCTOR_COMMAND }),
          ]),
        );
      }
      break;
    }
  }
  if (options.onRetry && status.state !== 'connected' && status.state !== 'connecting') {
    const retry = el('button', { className: 'button', text: t('statusCheckAgain'), attrs: { type: 'button' } });
    const onRetry = options.onRetry;
    retry.addEventListener('click', () => onRetry());
    view.append(el('p', {}, [retry]));
  }
  return view;
}
