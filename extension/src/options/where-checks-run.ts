// Options → "Where checks run": this computer (the native host) or an MX Lens server, with its
// address and API key. The server's origin is an optional host permission, asked for when the
// user saves (inside the click, as browsers require), and the choice is saved only once granted.

import browser from 'webextension-polyfill';
import {
  CHECK_LOCATION_KEY,
  completeCheckLocation,
  permissionPattern,
  serverOrigin,
  type CheckLocation,
} from '../shared/check-location.js';
import type { MessageKey } from '../shared/i18n.js';
import { byId } from '../ui/dom.js';
import { t } from '../ui/i18n.js';

/** What the form asks for: the location to save and the permission it needs, or what is wrong. */
function readWhereForm(
  where: string,
  url: string,
  key: string,
):
  | { ok: true; location: CheckLocation; origins: string[] }
  | { ok: false; field: 'where-url' | 'where-key'; messageKey: MessageKey } {
  if (where !== 'server') return { ok: true, location: { where: 'host' }, origins: [] };
  const origin = serverOrigin(url);
  if (!origin.ok)
    return {
      ok: false,
      field: 'where-url',
      messageKey: origin.problem === 'insecure' ? 'optionsWhereUrlInsecure' : 'optionsWhereUrlInvalid',
    };
  if (key.trim() === '') return { ok: false, field: 'where-key', messageKey: 'optionsWhereKeyMissing' };
  return {
    ok: true,
    location: { where: 'server', url: origin.origin, key: key.trim() },
    origins: [permissionPattern(origin.origin)],
  };
}

/** Fills the form from storage and saves it on submit; resolves when the stored choice is shown. */
export async function wireWhereChecksRun(): Promise<void> {
  const form = byId<HTMLFormElement>('where-form');
  const url = byId<HTMLInputElement>('where-url');
  const key = byId<HTMLInputElement>('where-key');
  const status = byId('where-status');
  const radios = () => Array.from(form.querySelectorAll<HTMLInputElement>('input[name="where"]'));

  const show = (location: CheckLocation) => {
    for (const radio of radios()) radio.checked = radio.value === location.where;
    url.value = location.where === 'server' ? location.url : '';
    key.value = location.where === 'server' ? location.key : '';
  };
  const clearErrors = () => {
    for (const id of ['where-url', 'where-key']) {
      byId(id).removeAttribute('aria-invalid');
      byId(`${id}-error`).textContent = '';
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors();
    const read = readWhereForm(radios().find((radio) => radio.checked)?.value ?? 'host', url.value, key.value);
    if (!read.ok) {
      byId(read.field).setAttribute('aria-invalid', 'true');
      byId(`${read.field}-error`).textContent = t(read.messageKey);
      status.textContent = t('optionsNotSaved');
      return;
    }
    // Asked before anything is awaited: the permission prompt needs the user's click.
    const granted =
      read.origins.length > 0 ? browser.permissions.request({ origins: read.origins }) : Promise.resolve(true);
    void granted
      .then(async (allowed) => {
        if (!allowed) {
          status.textContent = t('optionsWhereDenied');
          return;
        }
        await browser.storage.local.set({ [CHECK_LOCATION_KEY]: read.location });
        status.textContent =
          read.location.where === 'server'
            ? t('optionsWhereSavedServer', [read.location.url])
            : t('optionsWhereSavedHost');
      })
      .catch((error: unknown) => {
        status.textContent = t('optionsSaveFailed', [error instanceof Error ? error.message : String(error)]);
      });
  });

  const stored = await browser.storage.local.get(CHECK_LOCATION_KEY).catch(() => ({}) as Record<string, unknown>);
  show(completeCheckLocation((stored as Record<string, unknown>)[CHECK_LOCATION_KEY]));
}
