// Checking the options form. Pure: no browser, no DOM. The values are checked by the settings'
// own parsers (native-host/src/settings/values.ts), the host's and the CLI's; errors name a
// message key, so the page shows them in the user's language.

import {
  parseHeloName,
  parseProxy,
  parseSender,
  RANGES as SETTING_RANGES,
  type Parsed,
  type ProblemCode,
} from '../../../native-host/shared/settings/values.js';
import type { AutoMode, ExtensionSettings } from '../shared/settings.js';

/** The form as typed: text fields as strings. */
export interface OptionsForm {
  sender: string;
  heloName: string;
  proxy: string;
  /** Seconds. */
  timeoutSeconds: string;
  catchAll: boolean;
  autoMode: string;
  perPageLimit: string;
  cacheTtlMinutes: string;
}

export type FormField = keyof OptionsForm;

interface FieldError {
  field: FormField;
  key: string;
  substitutions?: string[];
}

/** The fields the options page edits (pausedSites has its own list). */
type EditableSettings = Omit<ExtensionSettings, 'pausedSites'>;

export type FormCheck = { ok: true; settings: EditableSettings } | { ok: false; errors: FieldError[] };

const RANGES = {
  // From 1 second here (the setting takes 100 ms); the upper bound is the setting's own (settings/values.ts).
  timeoutSeconds: { min: 1, max: SETTING_RANGES.timeoutMs[1] / 1000 },
  perPageLimit: { min: 1, max: 10_000 },
  cacheTtlMinutes: { min: 0, max: 43_200 },
} as const;

const AUTO_MODES: readonly AutoMode[] = ['full', 'dns', 'manual'];

/** The page's message key for each kind of problem the settings' parsers report. */
const MESSAGE_KEYS: Partial<Record<ProblemCode, string>> = {
  sender: 'optionsErrorSender',
  helo: 'optionsErrorHelo',
  proxyFormat: 'optionsErrorProxyFormat',
  proxyScheme: 'optionsErrorProxyScheme',
  proxyHostPort: 'optionsErrorProxyHostPort',
  proxyExtra: 'optionsErrorProxyExtra',
};

/** The message key of what is wrong with a value (null: nothing), by the same parser the host uses. */
function problemKey(parsed: Parsed<unknown>, fallback: string): string | null {
  return parsed.ok ? null : (MESSAGE_KEYS[parsed.code] ?? fallback);
}

/** A sender address; "" and "<>" mean the null sender. */
export function checkSender(text: string): string | null {
  return problemKey(parseSender(text), 'optionsErrorSender');
}

/** A host name, or an address literal like [192.0.2.1] or [IPv6:2001:db8::1]; "" lets the host choose. */
export function checkHeloName(text: string): string | null {
  return text === '' ? null : problemKey(parseHeloName(text), 'optionsErrorHelo');
}

/** socks5://[user:pass@]host:port (socks5h:// too); returns the error's message key. */
export function checkProxy(text: string): string | null {
  return problemKey(parseProxy(text), 'optionsErrorProxyFormat');
}

function wholeNumber(text: string): number | null {
  return /^\d{1,9}$/.test(text) ? Number(text) : null;
}

function decimalNumber(text: string): number | null {
  return /^\d{1,6}(\.\d{1,3})?$/.test(text) ? Number(text) : null;
}

export function validateOptions(form: OptionsForm): FormCheck {
  const errors: FieldError[] = [];
  const sender = form.sender.trim();
  const heloName = form.heloName.trim();
  const proxy = form.proxy.trim();

  const senderError = checkSender(sender);
  if (senderError) errors.push({ field: 'sender', key: senderError });
  const heloError = checkHeloName(heloName);
  if (heloError) errors.push({ field: 'heloName', key: heloError });
  const proxyError = checkProxy(proxy);
  if (proxyError) errors.push({ field: 'proxy', key: proxyError });

  const range = (field: 'timeoutSeconds' | 'perPageLimit' | 'cacheTtlMinutes', value: number | null): number | null => {
    const { min, max } = RANGES[field];
    if (value === null || value < min || value > max) {
      errors.push({ field, key: 'optionsErrorRange', substitutions: [String(min), String(max)] });
      return null;
    }
    return value;
  };
  const timeoutSeconds = range('timeoutSeconds', decimalNumber(form.timeoutSeconds.trim()));
  const perPageLimit = range('perPageLimit', wholeNumber(form.perPageLimit.trim()));
  const cacheTtlMinutes = range('cacheTtlMinutes', wholeNumber(form.cacheTtlMinutes.trim()));

  const autoMode = AUTO_MODES.find((mode) => mode === form.autoMode);
  if (!autoMode) errors.push({ field: 'autoMode', key: 'optionsErrorAutoMode' });

  if (errors.length > 0 || timeoutSeconds === null || perPageLimit === null || cacheTtlMinutes === null || !autoMode) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    settings: {
      autoMode,
      sender: sender === '<>' ? '' : sender,
      heloName,
      proxy,
      timeoutMs: Math.round(timeoutSeconds * 1000),
      catchAll: form.catchAll,
      cacheTtlMinutes,
      perPageLimit,
    },
  };
}

/** The form showing these settings. */
export function formFromSettings(settings: ExtensionSettings): OptionsForm {
  return {
    sender: settings.sender,
    heloName: settings.heloName,
    proxy: settings.proxy,
    timeoutSeconds: String(Math.round(settings.timeoutMs / 100) / 10),
    catchAll: settings.catchAll,
    autoMode: settings.autoMode,
    perPageLimit: String(settings.perPageLimit),
    cacheTtlMinutes: String(settings.cacheTtlMinutes),
  };
}
