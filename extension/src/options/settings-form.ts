// The settings form: filled from storage, validated on submit (nothing invalid is saved; each
// error is shown at its field and the first one gets the focus), saved over what is stored now.

import type { MessageKey } from '../shared/i18n.js';
import { byId } from '../ui/dom.js';
import { t } from '../ui/i18n.js';
import { loadSettings, saveSettings } from '../ui/settings-store.js';
import { formFromSettings, validateOptions, type FormField, type OptionsForm } from './validate.js';

const TEXT_FIELDS = ['sender', 'heloName', 'proxy', 'timeoutSeconds', 'perPageLimit', 'cacheTtlMinutes'] as const;
const ALL_FIELDS: readonly FormField[] = [...TEXT_FIELDS, 'catchAll', 'autoMode'];

export interface SettingsForm {
  fill(values: OptionsForm): void;
}

export function wireSettingsForm(): SettingsForm {
  const form = byId<HTMLFormElement>('options-form');
  const saveStatus = byId('save-status');
  const catchAll = byId<HTMLInputElement>('catchAll');
  const input = (id: (typeof TEXT_FIELDS)[number]) => byId<HTMLInputElement>(id);
  const radios = () => Array.from(form.querySelectorAll<HTMLInputElement>('input[name="autoMode"]'));

  function fill(values: OptionsForm): void {
    for (const field of TEXT_FIELDS) input(field).value = values[field];
    catchAll.checked = values.catchAll;
    for (const radio of radios()) radio.checked = radio.value === values.autoMode;
  }

  function read(): OptionsForm {
    const text = Object.fromEntries(TEXT_FIELDS.map((field) => [field, input(field).value])) as Record<
      (typeof TEXT_FIELDS)[number],
      string
    >;
    return { ...text, catchAll: catchAll.checked, autoMode: radios().find((radio) => radio.checked)?.value ?? '' };
  }

  function clearErrors(): void {
    for (const field of ALL_FIELDS) {
      byId(field).removeAttribute('aria-invalid');
      const error = document.getElementById(`${field}-error`);
      if (error) error.textContent = '';
    }
  }

  async function save(): Promise<void> {
    clearErrors();
    saveStatus.textContent = '';
    const check = validateOptions(read());
    if (!check.ok) {
      for (const error of check.errors) {
        byId(error.field).setAttribute('aria-invalid', 'true');
        const slot = document.getElementById(`${error.field}-error`);
        if (slot) slot.textContent = t(error.key as MessageKey, error.substitutions);
      }
      saveStatus.textContent = t('optionsNotSaved');
      const first = check.errors[0];
      if (first) (first.field === 'autoMode' ? radios()[0] : byId(first.field))?.focus();
      return;
    }
    try {
      // Paused sites come from storage as they are now: the popup may have changed them.
      const current = await loadSettings();
      await saveSettings({ ...current, ...check.settings });
      fill(formFromSettings({ ...current, ...check.settings }));
      saveStatus.textContent = t('optionsSaved');
    } catch (error) {
      saveStatus.textContent = t('optionsSaveFailed', [error instanceof Error ? error.message : String(error)]);
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void save();
  });
  return { fill };
}
